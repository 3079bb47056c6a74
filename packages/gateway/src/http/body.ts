import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { sendError } from './answers';

const gunzipAsync = promisify(gunzip);

export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; code: 'payload_too_large' | 'invalid_json' | 'unsupported_media_type'; message: string };

/**
 * Reads a request body, never more than `maxBytes` off the wire, and inflates gzip without producing more
 * than `maxBytes` either: zlib stops at `maxOutputLength`, so a gzip bomb is refused, not expanded.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return { ok: false, code: 'unsupported_media_type', message: 'Content-Encoding must be gzip or absent' };
  }
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return tooLarge(maxBytes);
  const raw = await readRaw(req, maxBytes);
  if (raw === undefined) return tooLarge(maxBytes);
  if (encoding === 'identity') return { ok: true, body: raw };
  try {
    return { ok: true, body: await gunzipAsync(raw, { maxOutputLength: maxBytes }) };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(maxBytes);
    return { ok: false, code: 'invalid_json', message: 'the body is not valid gzip' };
  }
}

/** Resolves with the body, or `undefined` once it passes `maxBytes` (the rest is left unread). */
function readRaw(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = () => {
      cleanup();
      resolve(undefined);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

function tooLarge(maxBytes: number): BodyResult {
  return { ok: false, code: 'payload_too_large', message: `the body is larger than ${maxBytes} bytes` };
}

/**
 * For an answer given without reading the whole body: the connection is closed once the answer is out,
 * so the gateway reads no more of a body it will not use. Call before the answer is written.
 */
export function closeAfterAnswer(res: ServerResponse) {
  res.shouldKeepAlive = false;
  res.setHeader('connection', 'close');
  res.once('finish', () => res.req.socket.destroySoon());
}

/**
 * Answers a body that was refused. After a 413 the rest of the body stays unread: the connection is
 * closed once the answer is out, so the client sees the status and the gateway reads no more.
 */
export function refuseBody(
  res: ServerResponse,
  code: 'payload_too_large' | 'invalid_json' | 'unsupported_media_type',
  message: string,
) {
  if (code === 'payload_too_large') closeAfterAnswer(res);
  sendError(res, code, message);
}
