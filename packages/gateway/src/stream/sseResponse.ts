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
  res.socket?.setNoDelay(true);
  res.socket?.setTimeout(0);
  res.writeHead(200, SSE_HEADERS);
  res.flushHeaders();
}

/**
 * Writes a batch of frames, waiting for the socket to drain between chunks, so a long replay never holds
 * more than about one chunk in memory beyond what the socket buffers. Resolves `false` if the stream closed.
 */
export async function writeFrames(
  res: ServerResponse,
  frames: readonly Buffer[],
  isClosed: () => boolean,
): Promise<boolean> {
  const CHUNK = 64 * 1024;
  let batch: Buffer[] = [];
  let size = 0;
  for (let i = 0; i <= frames.length; i++) {
    const frame = frames[i];
    if (frame !== undefined) {
      batch.push(frame);
      size += frame.length;
    }
    if (size === 0 || (size < CHUNK && frame !== undefined)) continue;
    if (isClosed()) return false;
    const flushed = res.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch, size));
    batch = [];
    size = 0;
    if (!flushed && !(await drained(res))) return false;
  }
  return !isClosed();
}

function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
