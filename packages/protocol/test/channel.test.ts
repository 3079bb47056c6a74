import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatChannel,
  isValidChannel,
  isValidChannelPattern,
  isValidSegment,
  matchChannel,
  parseChannel,
} from '../src/index';

describe('channel names', () => {
  it('formats and parses logs:{service}:{workspace}:{resource}', () => {
    const name = formatChannel({ service: 'etl', workspace: 'ws-1', resource: 'run_42.a' });
    expect(name).toBe('logs:etl:ws-1:run_42.a');
    expect(parseChannel(name)).toEqual({ service: 'etl', workspace: 'ws-1', resource: 'run_42.a' });
  });

  it.each([
    'logs:etl:ws',
    'logs:etl:ws:run:extra',
    'metrics:etl:ws:run',
    'logs::ws:run',
    'logs:etl:ws:run with space',
    'logs:etl:ws:run\n',
    'logs:etl:ws:*',
    `logs:${'a'.repeat(129)}:ws:run`,
    'logs:étl:ws:run',
  ])('refuses %j as a channel', (name) => {
    expect(isValidChannel(name)).toBe(false);
    expect(parseChannel(name)).toBeUndefined();
  });

  it('accepts 128-character segments and refuses 129', () => {
    expect(isValidSegment('a'.repeat(128))).toBe(true);
    expect(isValidSegment('a'.repeat(129))).toBe(false);
    expect(formatChannel({ service: 'a'.repeat(129), workspace: 'w', resource: 'r' })).toBeUndefined();
  });

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 42, {}, ['logs', 'a', 'b', 'c']]) {
      expect(isValidChannel(value)).toBe(false);
      expect(isValidChannelPattern(value)).toBe(false);
    }
  });
});

describe('channel patterns', () => {
  it('lets `*` stand for a whole segment', () => {
    expect(isValidChannelPattern('logs:etl:*:*')).toBe(true);
    expect(isValidChannelPattern('logs:*:ws-1:*')).toBe(true);
    expect(isValidChannelPattern('logs:etl:ws*:*')).toBe(false);
    expect(isValidChannelPattern('logs:**:ws:r')).toBe(false);
    expect(matchChannel('logs:etl:*:*', 'logs:etl:ws-1:run-1')).toBe(true);
    expect(matchChannel('logs:etl:*:*', 'logs:wf:ws-1:run-1')).toBe(false);
    expect(matchChannel('logs:*:ws-1:*', 'logs:wf:ws-1:x')).toBe(true);
    expect(matchChannel('logs:*:ws-1:*', 'logs:wf:ws-2:x')).toBe(false);
  });

  it('matches nothing when an argument is invalid', () => {
    expect(matchChannel('logs:etl:*', 'logs:etl:a:b')).toBe(false);
    expect(matchChannel('logs:etl:*:*', 'logs:etl:a:*')).toBe(false);
  });

  it('a pattern of concrete segments matches exactly its own channel', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
    fc.assert(
      fc.property(segment, segment, segment, segment, (s, w, r, other) => {
        const channel = `logs:${s}:${w}:${r}`;
        expect(matchChannel(channel, channel)).toBe(true);
        expect(matchChannel(`logs:*:${w}:${r}`, channel)).toBe(true);
        expect(matchChannel(`logs:${s}:${w}:${r}`, `logs:${s}:${w}:${r}${other}`)).toBe(false);
      }),
    );
  });
});
