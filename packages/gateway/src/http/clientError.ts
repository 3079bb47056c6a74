import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ERROR_STATUS, type ErrorCode, errorBody } from '@logs-sse/protocol';

/** Node's error codes that have an answer of their own; every other parse error is a 400. */
const ANSWERS: Record<string, [ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: ['headers_too_large', 'the request headers are larger than the server accepts'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [
    'payload_too_large',
    'the chunk extensions are larger than the server accepts',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: ['request_timeout', 'the request did not arrive in time; send it again'],
};

/**
 * A `clientError` listener: answers a request Node could not parse (400, 413, 431) or did not receive in
 * time (408) as Node itself would, but with the JSON error body, then closes the connection. Like Node,
 * it answers only on a connection that has not carried a response yet: there, raw bytes could land in the
 * middle of another answer, so such a connection is closed without one.
 *
 * @example
 * server.on('clientError', answerClientError);
 */
export function answerClientError(error: NodeJS.ErrnoException, duplex: Duplex): void {
  const socket = duplex as Socket;
  // Answered already: the parser reports its error again for every chunk that still arrives.
  if (socket.writableEnded) return;
  if (error.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const [code, message] = ANSWERS[error.code ?? ''] ?? [
    'bad_request',
    'the request is not well-formed HTTP/1.1',
  ];
  const status = ERROR_STATUS[code];
  const body = JSON.stringify(errorBody(code, message));
  socket.write(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'cache-control: no-store\r\nconnection: close\r\n\r\n' +
      body,
  );
  // Closed once the answer is out: a client that never finishes its request (a slowloris) holds nothing.
  socket.destroySoon();
}
