#!/usr/bin/env node
import { pino } from 'pino';
import { HELP_TEXT, loadCliConfig } from './cli/cliConfig';
import { keepYoungGenerationSmall } from './cli/youngGeneration';
import { createGateway } from './createGateway';
import { GatewayError } from './errors';
import type { RedisStore } from './redis';

// Before the first connection: the process is the gateway's own, and idle streams should not pay for a
// young generation sized for a burst of connections.
keepYoungGenerationSmall();

async function main(): Promise<void> {
  let config: ReturnType<typeof loadCliConfig>;
  try {
    config = loadCliConfig(process.argv.slice(2));
  } catch (error) {
    fail(error, 2);
  }
  if (config.help) {
    process.stdout.write(HELP_TEXT);
    return;
  }
  const logger = pino({ name: 'logs-sse-gateway', level: config.logLevel }, pino.destination(2));
  let gateway: ReturnType<typeof createGateway>;
  let store: RedisStore | undefined;
  let url: string;
  try {
    // With Redis the gateway starts even while Redis is down: /ready says so, and it recovers by itself.
    // Loaded only when asked for, so that a gateway without Redis never loads its client.
    store =
      config.redisUrl === undefined
        ? undefined
        : new (await import('./redis')).RedisStore({
            url: config.redisUrl,
            prefix: config.redisPrefix,
            historyPerChannel: config.options.historyPerChannel,
            // Entries read from the feed once per window are written to the streams in that same turn.
            readWindowMs: config.options.flushWindowMs,
            historyTtlSeconds:
              config.options.historyTtlSeconds === undefined
                ? undefined
                : Math.max(1, Math.ceil(config.options.historyTtlSeconds)),
            logger,
          });
    gateway = createGateway({ ...config.options, logger, store });
    ({ url } = await gateway.listen({ port: config.port, host: config.host, ...config.timeouts }));
  } catch (error) {
    fail(error, error instanceof GatewayError && error.code === 'invalid_options' ? 2 : 1);
  }
  // The URL alone on a line of its own, on stdout, for scripts; logs go to stderr.
  process.stdout.write(`${url}\n`);
  const auth = config.options.auth;
  if (auth === undefined || auth === 'open') {
    // Said at warn level so that it shows at the usual log levels, asked for or not.
    const why = auth === undefined ? 'nothing configures auth' : 'asked for';
    logger.warn({ url, auth: 'open', why }, 'open mode: no auth; listening on loopback only');
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A hard deadline in case a connection refuses to close.
    setTimeout(() => process.exit(1), 5000).unref();
    gateway
      .close()
      .then(() => store?.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** One line, no stack: every error the command line expects is a misuse it explains in its message. */
function fail(error: unknown, code: number): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`logs-sse-gateway: ${message}\n`);
  process.exit(code);
}

main().catch((error: unknown) => fail(error, 1));
