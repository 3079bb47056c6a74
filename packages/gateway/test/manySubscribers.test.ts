import { Agent } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { log, publish, SseReader, type Started, startGateway } from './helpers';

let g: Started;
const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await g.gateway.close();
});

it('delivers every entry to 1,000 concurrent subscribers on loopback', { timeout: 120_000 }, async () => {
  g = await startGateway();
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const channels = ['logs:svc:ws:a', 'logs:svc:ws:b'];
  for (let i = 0; i < 1000; i++) {
    // Half read both channels by name, half by pattern: both index paths of the fan-out are exercised.
    const query = i % 2 === 0 ? `channels=${channels.join(',')}` : 'channels=logs:svc:ws:*';
    readers.push(new SseReader(`${g.url}/api/logs/stream?${query}`, {}, agent));
  }
  await Promise.all(readers.map((r) => r.opened));
  await Promise.all(readers.map((r) => r.untilEvents('hello', 1)));
  expect(g.gateway.stats().connections).toBe(1000);

  const total = 40;
  for (let batch = 0; batch < 4; batch++) {
    const logs = Array.from({ length: total / 4 }, (_, i) => log(i % 2 ? 'a' : 'b', `m${batch * 10 + i}`));
    expect((await publish(g.url, { logs })).status).toBe(202);
  }
  await Promise.all(readers.map((r) => r.untilEvents('log', total)));
  const expected = Array.from({ length: total }, (_, i) => `m${i}`);
  for (const reader of readers) expect(reader.data('log').map((e) => e.message)).toEqual(expected);
  expect(g.gateway.stats().logs.out).toBe(total * 1000);
  expect(g.gateway.stats().dropped.slowSubscribers).toBe(0);
  agent.destroy();
});
