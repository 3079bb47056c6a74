import type { ServerResponse } from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect, it } from 'vitest';
import { SILENT_LOGGER } from '../src/logger';
import { Metrics } from '../src/metrics';
import { parseReadQuery } from '../src/query';
import { Fanout } from '../src/stream/fanout';
import { Subscriber } from '../src/stream/subscriber';

v8.setFlagsFromString('--expose-gc');
const gc: () => void = vm.runInNewContext('gc');

it('keeps no URL of a stream that has left alive, though others still follow its channels', () => {
  const fanout = new Fanout({
    maxBufferedBytes: 1024 * 1024,
    flushWindowMs: 0,
    now: () => 0,
    metrics: new Metrics(),
    logger: SILENT_LOGGER,
  });
  const channels = Array.from({ length: 100 }, (_, i) => `logs:etl:ws-1:run-${i}`);
  const open = (path: string) => {
    const parsed = parseReadQuery(
      new URL(path, 'http://gateway.test'),
      {},
      { maxChannels: 100, historyPerChannel: 1000 },
      'channels',
    );
    if (!parsed.ok) throw new Error(parsed.message);
    const sub = new Subscriber('c', {} as ServerResponse, parsed.query.patterns, { minLevel: -1, query: '' });
    fanout.add(sub);
    return sub;
  };

  gc();
  const before = process.memoryUsage().heapUsed;
  // The first stream of each channel carries a long token in its URL (100 kB, 10 MB for all).
  const first = channels.map((channel, i) =>
    open(`/api/logs/stream?channels=${channel}&access_token=${'t'.repeat(100_000)}${i}`),
  );
  const stays = open(`/api/logs/stream?channels=${channels.join(',')}`);
  for (const sub of first) fanout.remove(sub);
  first.length = 0;
  gc();
  const retained = process.memoryUsage().heapUsed - before;

  expect(stays.patterns.map((pattern) => pattern.source)).toEqual(channels);
  expect(fanout.subscriptionCounts()).toEqual(Object.fromEntries(channels.map((c) => [c, 1])));
  // What the streams need is about 30 kB for 100 channels; the URLs alone would be 10 MB.
  expect(retained).toBeLessThan(1_000_000);
});
