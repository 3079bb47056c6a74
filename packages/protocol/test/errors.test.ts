import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_STATUS, errorBody, isErrorCode, parseErrorBody } from '../src/index';

describe('error bodies', () => {
  it('give every code an HTTP status', () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
    }
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
