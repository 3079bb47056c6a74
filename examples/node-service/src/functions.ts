import { once } from 'node:events';
import { createPinoTransport } from '@logs-sse/publisher/pino';
import { pino } from 'pino';
import { between, pause, type ServiceRunOptions } from './pace';

export interface FunctionsOptions extends ServiceRunOptions {
  /** Gateway base URL the pino transport publishes to. */
  url: string;
  /** Resource id of the function: its channel is `logs:functions:{workspace}:{fn}`. Defaults to `thumbnailer`. */
  fn?: string;
  /** Share of invocations that throw, from 0 to 1. Defaults to `0.25`. */
  errorRate?: number;
}

/**
 * A function runner: each invocation writes a burst of lines through pino (and the logs-sse pino
 * transport), some fail with a stack trace. Resolves after `runs` invocations, once every line is sent.
 */
export async function runFunctions(options: FunctionsOptions): Promise<void> {
  const { url, workspace, runs, paceMs, signal, random = Math.random } = options;
  const fn = options.fn ?? 'thumbnailer';
  const errorRate = options.errorRate ?? 0.25;
  const transport = createPinoTransport({
    url,
    service: 'functions',
    workspace_id: workspace,
    resource_id: fn,
    // On exit, try to send what is queued for two seconds at most (the gateway may be gone already).
    closeTimeoutMs: 2000,
  });
  const logger = pino({ level: 'trace', base: null }, transport);

  try {
    for (let run = 1; run <= runs; run++) {
      const invocation = logger.child({ invocation: `inv-${run}` });
      const images = between(random, 3, 40);
      invocation.info(`invocation ${run}: resizing ${images} images`);
      for (let i = 1; i <= images; i++) {
        invocation.debug(
          `image ${i}/${images}: ${between(random, 200, 4000)}x${between(random, 200, 3000)} -> 256x256`,
        );
      }
      if (random() < errorRate) {
        const error = decodeFailure(between(random, 1, images));
        // The top frames are what a reader needs; the runner's own frames below them are noise.
        const stack = error.stack?.split('\n').slice(0, 5).join('\n');
        invocation.error(`invocation ${run} failed: ${stack}`);
      } else {
        invocation.info(`invocation ${run} finished: ${images} thumbnails written`);
      }
      // Bursts, then quiet: most invocations come quickly one after another.
      if (!(await pause(random() < 0.7 ? paceMs : paceMs * 8, signal))) break;
    }
  } finally {
    transport.end();
    await once(transport, 'close');
  }
}

/** A decoding error raised a few calls deep, as a real one would be, for a realistic stack trace. */
function decodeFailure(image: number): Error {
  try {
    readJpeg(image);
  } catch (error) {
    return error as Error;
  }
  return new Error('unreachable');
}

function readJpeg(image: number): never {
  return readScanLines(image);
}

function readScanLines(image: number): never {
  throw new Error(`cannot decode image ${image}: unexpected end of JPEG data`);
}
