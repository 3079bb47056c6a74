/** Every error code the gateway answers with. A closed set: clients may switch on it exhaustively. */
export const ERROR_CODES = [
  'invalid_json',
  'invalid_entry',
  'invalid_channel',
  'invalid_query',
  'too_many_channels',
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'request_timeout',
  'payload_too_large',
  'unsupported_media_type',
  'headers_too_large',
  'rate_limited',
  'invalid_idempotency_key',
  'idempotency_key_reused',
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Body of every error answer: `{ "error": { "code": "...", "message": "..." } }`. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** Per-entry errors of a publish request that accepted none: the first {@link MAX_REJECTED_LISTED}. */
    rejected?: RejectedEntry[];
    /** How many entries were rejected in all, listed or not (publish answers only). */
    rejectedCount?: number;
  };
}

/**
 * Most rejected entries a publish answer lists; the rest are only counted (`rejectedCount`), so that the
 * answer to a batch of any size stays small.
 */
export const MAX_REJECTED_LISTED = 100;

/** Why one entry of a publish batch was refused. */
export interface RejectedEntry {
  index: number;
  error: { code: ErrorCode; message: string };
}

/** The HTTP status that goes with each code. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  invalid_json: 400,
  invalid_entry: 400,
  invalid_channel: 400,
  invalid_query: 400,
  too_many_channels: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  rate_limited: 429,
  invalid_idempotency_key: 400,
  idempotency_key_reused: 422,
  unavailable: 503,
  internal: 500,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Reads an error body of unknown shape; `undefined` when it is not one. */
export function parseErrorBody(value: unknown): ErrorBody['error'] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const error = (value as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (!isErrorCode(code) || typeof message !== 'string') return undefined;
  return error as ErrorBody['error'];
}
