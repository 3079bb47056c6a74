import { describe, expect, it } from 'vitest';
import { type Channel, createChannel } from '../src/channel';
import { historyQuery, streamQuery } from '../src/streamQuery';

function channels(...list: Channel[]): Map<string, Channel> {
  return new Map(list.map((channel) => [channel.key, channel]));
}

describe('streamQuery', () => {
  it('lists the keys sorted and encoded, with the lowest level any subscriber wants', () => {
    const b = createChannel('logs:etl:ws-1:*', 10, undefined);
    const a = createChannel('logs:etl:ws-1:run-1', 10, undefined);
    a.subscribers = [{ level: 'error' }, { level: 'warn' }];
    b.subscribers = [{ level: 'error' }];
    expect(streamQuery(channels(b, a))).toBe(
      'channels=logs%3Aetl%3Aws-1%3A*,logs%3Aetl%3Aws-1%3Arun-1&level=warn',
    );
    b.subscribers = [{}];
    expect(streamQuery(channels(b, a))).toBe('channels=logs%3Aetl%3Aws-1%3A*,logs%3Aetl%3Aws-1%3Arun-1');
  });
});

describe('historyQuery', () => {
  it('asks for the history of each channel not yet served, by since or tail, and marks the others served', () => {
    const since = createChannel('logs:a:b:c', 10, '1700000000000-3');
    since.tail = 50;
    const tail = createChannel('logs:a:b:d', 10, undefined);
    tail.tail = 20;
    const none = createChannel('logs:a:b:e', 10, undefined);
    const served = createChannel('logs:a:b:f', 10, undefined);
    served.tail = 5;
    served.served = true;
    expect(historyQuery(channels(since, tail, none, served))).toBe(
      '&history=logs%3Aa%3Ab%3Ac~1700000000000-3,logs%3Aa%3Ab%3Ad~20',
    );
    expect([since.served, tail.served, none.served, served.served]).toEqual([
      undefined,
      undefined,
      true,
      true,
    ]);
    expect(historyQuery(channels(none, served))).toBe('');
  });
});
