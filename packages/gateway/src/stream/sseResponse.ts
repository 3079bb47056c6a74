import type { ServerResponse } from 'node:http';

/** Headers of every stream: never cached, never buffered by proxies, never compressed. */
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
};

/** Sends the stream's headers now, so the client sees the stream open before any event. */
export function openSse(res: ServerResponse): void {
  const socket = res.socket;
  socket?.setNoDelay(true);
  // A stream may be idle between heartbeats for longer than a server's socket timeout. Only a socket
  // that has a timeout is told otherwise: setting 0 where none was set gives every stream's socket one
  // more property for nothing.
  if (socket?.timeout) socket.setTimeout(0);
  res.writeHead(200, SSE_HEADERS);
  res.flushHeaders();
}

/** How a long answer is written: when it counts as closed, and how long a reader may stall it. */
export interface WriteOptions {
  isClosed: () => boolean;
  /** A reader that takes none of what is pending for this long is cut off. */
  stallTimeoutMs: number;
  /** Called once when the answer is cut off for a stalled reader, before the socket is destroyed. */
  onStall: () => void;
}

const CHUNK = 64 * 1024;

/**
 * Writes a batch of frames, waiting for the socket to drain between chunks, so a long answer never holds
 * more than about one chunk in memory beyond what the socket buffers. A reader that stops reading is cut
 * off after `stallTimeoutMs`. Resolves `false` if the answer closed or was cut off.
 */
export async function writeFrames(
  res: ServerResponse,
  frames: readonly Buffer[],
  options: WriteOptions,
): Promise<boolean> {
  let batch: Buffer[] = [];
  let size = 0;
  for (let i = 0; i <= frames.length; i++) {
    const frame = frames[i];
    if (frame !== undefined) {
      batch.push(frame);
      size += frame.length;
    }
    if (size === 0 || (size < CHUNK && frame !== undefined)) continue;
    if (!(await writeChunk(res, batch.length === 1 ? batch[0]! : Buffer.concat(batch, size), options))) {
      return false;
    }
    batch = [];
    size = 0;
  }
  return !options.isClosed();
}

/** Writes one chunk and waits, if the socket is full, until the reader takes it (or stalls or leaves). */
export async function writeChunk(
  res: ServerResponse,
  chunk: Buffer | string,
  options: WriteOptions,
): Promise<boolean> {
  if (options.isClosed() || res.destroyed) return false;
  if (res.write(chunk)) return true;
  return drained(res, options);
}

function drained(res: ServerResponse, options: WriteOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => {
      done(false);
      options.onStall();
      res.destroy();
    }, options.stallTimeoutMs);
    timer.unref();
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
