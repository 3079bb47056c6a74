import type { LogEntry, LogLevel } from '@logs-sse/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendNewer, selectLogs } from '../src/index';

function entry(n: number, level: LogLevel = 'info', message = `line ${n}`): LogEntry {
  return { id: `1000-${n}`, type: 'log', channel: 'logs:a:b:c', timestamp: '', level, message };
}

const logs = [
  entry(1, 'debug'),
  entry(2, 'warn', 'Disk almost full'),
  entry(3, 'error', 'disk failed'),
  entry(4),
];

describe('selectLogs', () => {
  it('returns the input itself when nothing is left out, and one shared empty array when all is', () => {
    expect(selectLogs(logs)).toBe(logs);
    expect(selectLogs(logs, { max: 10, level: 'trace' })).toBe(logs);
    expect(selectLogs(logs, { level: 'fatal' })).toBe(selectLogs([], {}));
    expect(selectLogs([])).toEqual([]);
  });

  it('keeps entries at or above a level, containing a text in any case, passing a predicate', () => {
    expect(selectLogs(logs, { level: 'warn' }).map((e) => e.id)).toEqual(['1000-2', '1000-3']);
    expect(selectLogs(logs, { filter: { search: 'DISK' } }).map((e) => e.id)).toEqual(['1000-2', '1000-3']);
    expect(selectLogs(logs, { level: 'warn', filter: { level: 'error' } }).map((e) => e.id)).toEqual([
      '1000-3',
    ]);
    expect(selectLogs(logs, { filter: (e) => e.id.endsWith('4') }).map((e) => e.id)).toEqual(['1000-4']);
  });

  it('hides what a clear hid and keeps the newest max', () => {
    expect(selectLogs(logs, { after: '1000-2' }).map((e) => e.id)).toEqual(['1000-3', '1000-4']);
    expect(selectLogs(logs, { max: 2 }).map((e) => e.id)).toEqual(['1000-3', '1000-4']);
    expect(selectLogs(logs, { max: 0 })).toEqual([]);
  });

  it('treats a message with markup or a regex-like search as plain text', () => {
    const hostile = [entry(1, 'info', '<img src=x onerror=alert(1)>'), entry(2, 'info', 'a.*b')];
    expect(selectLogs(hostile, { filter: { search: '.*' } }).map((e) => e.id)).toEqual(['1000-2']);
    expect(selectLogs(hostile, { filter: { search: '<IMG' } })[0]!.message).toBe(
      '<img src=x onerror=alert(1)>',
    );
  });
});

describe('appendNewer', () => {
  it('joins a saved list and a live buffer without repeats, in cursor order', () => {
    const saved = logs.slice(0, 3);
    const live = logs.slice(2);
    expect(appendNewer(saved, live).map((e) => e.id)).toEqual(['1000-1', '1000-2', '1000-3', '1000-4']);
    expect(appendNewer([], live)).toBe(live);
    expect(appendNewer(saved, logs.slice(0, 2))).toBe(saved);
  });

  it('holds every id once, in order, for any overlap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        (a, b, c) => {
          const all = Array.from({ length: a + b + c }, (_, i) => entry(i + 1));
          const older = all.slice(0, a + b);
          const newer = all.slice(a);
          expect(appendNewer(older, newer).map((e) => e.id)).toEqual(all.map((e) => e.id));
        },
      ),
    );
  });
});
