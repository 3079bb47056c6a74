import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_STATUS, errorBody, isErrorCode, parseErrorBody } from '../src/index';

describe('error bodies', () => {
  it('give every code an HTTP status', () => {
    expect(ERROR_STATUS).toEqual({
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
      rate_limited: 429,
      invalid_idempotency_key: 400,
      idempotency_key_reused: 422,
      headers_too_large: 431,
      unavailable: 503,
      internal: 500,
    });
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('round-trip through JSON', () => {
    const body = JSON.parse(JSON.stringify(errorBody('forbidden', 'token may not publish to service "etl"')));
    expect(parseErrorBody(body)).toEqual({
      code: 'forbidden',
      message: 'token may not publish to service "etl"',
    });
  });

  it('read nothing from bodies of another shape', () => {
    for (const body of [
      null,
      'x',
      {},
      { error: 'x' },
      { error: { code: 'nope', message: 'm' } },
      { error: { code: 'internal' } },
    ]) {
      expect(parseErrorBody(body)).toBeUndefined();
    }
    expect(isErrorCode('toString')).toBe(false);
  });
});
