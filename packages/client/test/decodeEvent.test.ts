import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../src/decodeEvent';

describe('decodeEvent', () => {
  it('reads the data of the events the client knows', () => {
    expect(decodeEvent('log', '{"channel":"logs:a:b:c","message":"m"}')).toEqual({
      channel: 'logs:a:b:c',
      message: 'm',
    });
    expect(decodeEvent('hello', '{"heartbeatSeconds":15}')).toEqual({ heartbeatSeconds: 15 });
    expect(decodeEvent('gap', '{"channel":"logs:a:b:c","missed":2}')).toEqual({
      channel: 'logs:a:b:c',
      missed: 2,
    });
  });

  it('tells data of the wrong shape (null) from an event it does not read (undefined)', () => {
    for (const text of [
      '{not json',
      '"a string"',
      '42',
      'null',
      '{"message":"no channel"}',
      '{"channel":7}',
    ]) {
      expect(decodeEvent('log', text), text).toBeNull();
    }
    expect(decodeEvent('hello', 'null')).toBeNull();
    expect(decodeEvent('mystery', '{"channel":"logs:a:b:c"}')).toBeUndefined();
    expect(decodeEvent(undefined, '{"channel":"logs:a:b:c"}')).toBeUndefined();
  });
});
