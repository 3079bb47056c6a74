import { afterEach, describe, expect, it } from 'vitest';
import { log, openStream, publish, type Started, startGateway } from './helpers';

let g: Started;
afterEach(() => g.gateway.close());

const A = 'logs:svc:ws:a';
const B = 'logs:svc:ws:b';
const C = 'logs:svc:ws:c';

describe('resume', () => {
  it('with Last-Event-ID sends exactly the missed entries of all subscribed channels, in order, then live', async () => {
    g = await startGateway();
    const first = await openStream(g.url, `channels=${A},${B}`);
    await publish(g.url, { logs: [log('a', 'a1'), log('b', 'b1')] });
    await first.untilEvents('log', 2);
    const lastSeen = first.events.at(-1)!.id!;
    first.close();

    await publish(g.url, {
      logs: [log('b', 'b2'), log('c', 'c-not-subscribed'), log('a', 'a2'), log('b', 'b3')],
    });
    const resumed = await openStream(g.url, `channels=${A},${B}&tail=100`, { 'last-event-id': lastSeen });
    await resumed.untilEvents('log', 3);
    await publish(g.url, log('a', 'a3'));
    await resumed.untilEvents('log', 4);
    expect(resumed.data('log').map((e) => e.message)).toEqual(['b2', 'a2', 'b3', 'a3']);
    expect(resumed.data('gap')).toEqual([]);
    const ids = resumed.events.filter((e) => e.event === 'log').map((e) => e.id!);
    expect(new Set(ids).size).toBe(ids.length);
    resumed.close();
  });

  it('accepts the cursor as lastEventId in the query', async () => {
    g = await startGateway();
    await publish(g.url, { logs: [log('a', '1'), log('a', '2')] });
    const all = await openStream(g.url, `channels=${A}&tail=10&follow=false`);
    await all.untilEnd();
    const firstId = all.events.find((e) => e.event === 'log')!.id!;
    const resumed = await openStream(g.url, `channels=${A}&lastEventId=${firstId}&follow=false`);
    await resumed.untilEnd();
    expect(resumed.data('log').map((e) => e.message)).toEqual(['2']);
  });

  it('sends a gap event first when entries after the resume point were evicted', async () => {
    g = await startGateway({ historyPerChannel: 3 });
    await publish(g.url, log('a', 'a0'));
    const first = await openStream(g.url, `channels=${A},${C}&tail=1&follow=false`);
    await first.untilEnd();
    const from = first.events.find((e) => e.event === 'log')!.id!;
    await publish(g.url, { logs: ['a1', 'a2', 'a3', 'a4', 'a5'].map((m) => log('a', m)) });
    await publish(g.url, log('c', 'c1'));

    const resumed = await openStream(g.url, `channels=${A},${C}`, { 'last-event-id': from });
    await resumed.untilEvents('log', 4);
    expect(resumed.events[1]!.event).toBe('gap');
    expect(resumed.events[1]!.id).toBeUndefined();
    expect(resumed.data('gap')).toEqual([{ channel: A, missed: 2, from, reason: 'dropped' }]);
    expect(resumed.data('log').map((e) => e.message)).toEqual(['a3', 'a4', 'a5', 'c1']);
    resumed.close();
  });

  it('counts every evicted entry when the resume point is older than the channel', async () => {
    g = await startGateway({ historyPerChannel: 2 });
    await publish(g.url, log('b', 'other channel'));
    const first = await openStream(g.url, `channels=${B}&tail=1&follow=false`);
    await first.untilEnd();
    const from = first.events.find((e) => e.event === 'log')!.id!;
    await publish(g.url, { logs: ['1', '2', '3', '4', '5'].map((m) => log('a', m)) });
    const resumed = await openStream(g.url, `channels=${A}&follow=false`, { 'last-event-id': from });
    await resumed.untilEnd();
    expect(resumed.data('gap')).toEqual([{ channel: A, missed: 3, from, reason: 'dropped' }]);
    expect(resumed.data('log').map((e) => e.message)).toEqual(['4', '5']);

    const sinceCursor = await openStream(g.url, `channels=${A}&since=${from}&follow=false`);
    await sinceCursor.untilEnd();
    expect(sinceCursor.data('gap')).toEqual([{ channel: A, missed: 3, from, reason: 'dropped' }]);
    // A time is not a position the client held: no gap, just what is kept from then on.
    const sinceTime = await openStream(g.url, `channels=${A}&since=0&follow=false`);
    await sinceTime.untilEnd();
    expect(sinceTime.data('gap')).toEqual([]);
    expect(sinceTime.data('log').map((e) => e.message)).toEqual(['4', '5']);
  });

  it('loses and repeats nothing when entries arrive while the history is replayed', async () => {
    g = await startGateway();
    await publish(g.url, { logs: Array.from({ length: 200 }, (_, i) => log('a', `h${i}`)) });
    const reader = openStream(g.url, `channels=${A}&since=0-0`);
    const publishing = (async () => {
      for (let i = 0; i < 20; i++) await publish(g.url, log('a', `l${i}`));
    })();
    const stream = await reader;
    await publishing;
    await stream.untilEvents('log', 220);
    const messages = stream.data('log').map((e) => e.message);
    expect(messages).toEqual([
      ...Array.from({ length: 200 }, (_, i) => `h${i}`),
      ...Array.from({ length: 20 }, (_, i) => `l${i}`),
    ]);
    stream.close();
  });
});
