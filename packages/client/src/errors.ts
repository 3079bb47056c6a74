import type { ErrorCode } from '@logs-sse/protocol';

/** Why the client stopped retrying. */
export type LogsClientErrorCode =
  /** 401: the token is missing, unknown or expired. */
  | 'unauthorized'
  /** 403: the token may not read these channels. */
  | 'forbidden'
  /** 400 and other 4xx answers: the request itself is wrong (too many channels, bad query). */
  | 'bad_request'
  /** A 2xx answer that is not an event stream: the URL points at something other than a gateway. */
  | 'not_event_stream';

/**
 * A connection failure that retrying cannot fix. The client moves to status `'error'` and waits for the
 * set of channels to change (or for a new client) before it tries again.
 */
export class LogsClientError extends Error {
  override readonly name = 'LogsClientError';
  // Declared rather than defined as fields: the constructor sets them, and field definitions would
  // repeat each name in every browser bundle.
  declare readonly code: LogsClientErrorCode;
  /** HTTP status of the answer. */
  declare readonly status: number;
  /** The gateway's own error code, when its answer carried one. */
  declare readonly serverCode: ErrorCode | undefined;

  constructor(code: LogsClientErrorCode, status: number, message: string, serverCode?: ErrorCode) {
    super(message);
    this.code = code;
    this.status = status;
    this.serverCode = serverCode;
  }
}
