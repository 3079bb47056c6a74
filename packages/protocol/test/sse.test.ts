import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { encodeSseComment, encodeSseEvent, encodeSseRetry } from '../src/index';

function parse(stream: string) {
  const events: EventSourceMessage[] = [];
  const retries: number[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event), onRetry: (ms) => retries.push(ms) });
  parser.feed(stream);
  return { events, retries };
}

describe('SSE framing', () => {
  it('writes id, event and data, ended by a blank line', () => {
    expect(encodeSseEvent('log', '{"a":1}', '5-0')).toBe('id: 5-0\nevent: log\ndata: {"a":1}\n\n');
    expect(parse(encodeSseEvent('log', '{"a":1}', '5-0')).events).toEqual([
      { id: '5-0', event: 'log', data: '{"a":1}' },
    ]);
  });

  it('never lets data forge a second event', () => {
    const hostile = 'line one\n\nevent: log\nid: 999-0\ndata: {"forged":true}\r\n\r\ndata: x\rretry: 1';
    const { events, retries } = parse(
      encodeSseEvent('log', hostile, '1-0') + encodeSseEvent('log', 'next', '2-0'),
    );
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ id: '1-0', event: 'log' });
    expect(events[0]!.data).toBe(hostile.split(/\r\n|\r|\n/).join('\n'));
    expect(events[1]).toMatchObject({ id: '2-0', data: 'next' });
    expect(retries).toEqual([]);
  });

  it.each([
    ['bare \\n', '\n'],
    ['bare \\r', '\r'],
    ['\\r\\n', '\r\n'],
  ])('frames data whose only line breaks are %s as exactly one event', (_, eol) => {
    const data = ['one', '', 'event: forged', 'id: 999-0', 'data: two', ''].join(eol);
    const { events } = parse(encodeSseEvent('log', data, '1-0'));
    expect(events).toEqual([
      { id: '1-0', event: 'log', data: 'one\n\nevent: forged\nid: 999-0\ndata: two\n' },
    ]);
  });

  it('keeps line breaks out of the event name, the id and comments', () => {
    const { events } = parse(
      encodeSseEvent('log\n\ndata: x', 'ok', '1-0\nevent: gap') +
        encodeSseComment('beat\n\ndata: forged\n\n'),
    );
    expect(events).toEqual([{ id: '1-0event: gap', event: 'logdata: x', data: 'ok' }]);
  });

  it('writes a JSON payload that holds line breaks as one data line', () => {
    const data = JSON.stringify({ message: 'a\n\ndata: b\r\n' });
    const frame = encodeSseEvent('log', data, '1-0');
    expect(frame.split('\n').filter((line) => line.startsWith('data:'))).toHaveLength(1);
    expect(JSON.parse(parse(frame).events[0]!.data)).toEqual({ message: 'a\n\ndata: b\r\n' });
  });

  it('writes comments and retry hints the parser understands', () => {
    expect(encodeSseComment()).toBe(':\n\n');
    expect(encodeSseComment('hb')).toBe(': hb\n\n');
    expect(parse(encodeSseRetry(1500.7)).retries).toEqual([1500]);
  });
});
