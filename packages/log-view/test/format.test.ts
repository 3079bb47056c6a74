import { describe, expect, it } from 'vitest';
import { countNewer, droppedFromFront } from '../src/countNewer';
import { formatLogLine, formatTime, toLogFile, toNdjson } from '../src/format';
import { mergeLogs } from '../src/mergeLogs';
import { entry } from './entries';

describe('downloads', () => {
  it('writes a .log line with time, level, channel, the visible message and the fields', () => {
    const line = formatLogLine(entry('\x1b[32mdone\x1b[0m in 5 ms\n', { level: 'warn', durationMs: 5 }));
    expect(line).toBe('2026-11-24T12:34:56.789Z WARN  [logs:etl:demo:nightly] done in 5 ms {"durationMs":5}');
  });

  it('writes one line per entry, keeping the line breaks of a stack trace', () => {
    const file = toLogFile([entry('first'), entry('Error: boom\n    at f (a.js:1:1)')]);
    expect(file.split('\n')).toHaveLength(4);
    expect(file.endsWith('at f (a.js:1:1)\n')).toBe(true);
  });

  it('writes NDJSON that reads back as the entries', () => {
    const entries = [entry('one', { requestId: 'r-1' }), entry('two\nlines')];
    const text = toNdjson(entries);
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(entries);
  });
});

describe('formatTime', () => {
  it('shows UTC, or the local zone', () => {
    expect(formatTime('2026-11-24T01:02:03.004Z', 'utc')).toBe('01:02:03.004');
    const local = new Date('2026-11-24T01:02:03.004Z');
    expect(formatTime('2026-11-24T01:02:03.004Z', 'local')).toBe(
      `${String(local.getHours()).padStart(2, '0')}:${String(local.getMinutes()).padStart(2, '0')}:03.004`,
    );
    expect(formatTime('not a time', 'utc')).toBe('not a time');
  });
});

describe('mergeLogs', () => {
  it('interleaves channels in cursor order, once per entry', () => {
    const a1 = entry('a1', { id: '100-0', channel: 'logs:a:w:r' });
    const b1 = entry('b1', { id: '100-1', channel: 'logs:b:w:r' });
    const a2 = entry('a2', { id: '99999-0', channel: 'logs:a:w:r' });
    const b2 = entry('b2', { id: '100000-0', channel: 'logs:b:w:r' });
    expect(mergeLogs([[a1, a2], [b1, b2], [b1]]).map((e) => e.message)).toEqual(['a1', 'b1', 'a2', 'b2']);
  });

  it('returns a single list as it is', () => {
    const list = [entry('x')];
    expect(mergeLogs([[], list])).toBe(list);
    expect(mergeLogs([])).toEqual([]);
  });
});

describe('countNewer and droppedFromFront', () => {
  const list = [entry('1'), entry('2'), entry('3'), entry('4')];

  it('counts what came after a cursor', () => {
    expect(countNewer(list, list[1]!.id)).toBe(2);
    expect(countNewer(list, list[3]!.id)).toBe(0);
    expect(countNewer(list, undefined)).toBe(4);
  });

  it('tells how many of the oldest entries made way for new ones', () => {
    const next = [...list.slice(2), entry('5')];
    expect(droppedFromFront(list, next)).toBe(2);
    expect(droppedFromFront(list, list)).toBe(0);
    expect(droppedFromFront(list, [entry('other')])).toBeUndefined();
  });
});
