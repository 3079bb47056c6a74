import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../client/test/faultProxy';
import { log, publish, type Started, startGateway } from './helpers';

let g: Started | undefined;
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await g?.gateway.close();
  g = undefined;
});

/**
 * The `eventsource` package: a client that follows the SSE standard and knows nothing of logs-sse. It
 * resumes with the last `id:` it saw and nothing else, so the stream itself must say where it starts.
 */
function standardClient(url: string) {
  const source = new EventSource(url);
  closers.push(() => source.close());
  const seen = {
    hellos: [] as { epoch: string; cursor: string | null; id: string }[],
    logs: [] as string[],
    errors: 0,
  };
  let wake: () => void = () => {};
  source.addEventListener('hello', (event) => {
    seen.hellos.push({ ...JSON.parse(event.data), id: event.lastEventId });
    wake();
  });
  source.addEventListener('log', (event) => {
    seen.logs.push(JSON.parse(event.data).message);
    wake();
  });
  source.addEventListener('error', () => {
    seen.errors++;
    wake();
  });
  return {
    source,
    seen,
    async until(condition: () => boolean): Promise<void> {
      while (!condition()) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

describe('a standard EventSource resumes exactly from the id of hello', () => {
  it('cut before its first entry on an empty gateway, refused while entries are published, misses none', async () => {
    g = await startGateway({ retryMs: 10 });
    const proxy = await FaultProxy.start(g.url);
    closers.push(() => proxy.close());
    const client = standardClient(`${proxy.url}/api/logs/stream?channels=logs:svc:ws:a`);
    await client.until(() => client.seen.hellos.length === 1);
    const [hello] = client.seen.hellos;
    expect(hello!.cursor).toBeNull();
    expect(hello!.id).toBe(hello!.epoch);

    proxy.refuse();
    proxy.cutAll();
    // At least one reconnect is refused while the entries are published.
    await client.until(() => client.seen.errors >= 2);
    for (const message of ['one', 'two', 'three']) await publish(g.url, log('a', message));
    proxy.resume();
    await client.until(() => client.seen.logs.length >= 3);
    expect(client.seen.logs).toEqual(['one', 'two', 'three']);

    // Cut again between entries: it resumes from the last entry's id, again with nothing twice.
    proxy.refuse();
    proxy.cutAll();
    await client.until(() => client.seen.errors >= 4);
    await publish(g.url, { logs: [log('a', 'four'), log('a', 'five')] });
    proxy.resume();
    await client.until(() => client.seen.logs.length >= 5);
    await publish(g.url, log('a', 'six'));
    await client.until(() => client.seen.logs.length >= 6);
    expect(client.seen.logs).toEqual(['one', 'two', 'three', 'four', 'five', 'six']);
    expect(client.seen.hellos.length).toBe(3);
  });

  it('cut before its first entry on a gateway with history, resumes from hello.cursor, not from the start', async () => {
    g = await startGateway({ retryMs: 10 });
    await publish(g.url, log('a', 'old'));
    const proxy = await FaultProxy.start(g.url);
    closers.push(() => proxy.close());
    const client = standardClient(`${proxy.url}/api/logs/stream?channels=logs:svc:ws:a`);
    await client.until(() => client.seen.hellos.length === 1);
    expect(client.seen.hellos[0]!.id).toBe(client.seen.hellos[0]!.cursor);

    proxy.refuse();
    proxy.cutAll();
    await client.until(() => client.seen.errors >= 2);
    await publish(g.url, log('a', 'new'));
    proxy.resume();
    await client.until(() => client.seen.logs.length >= 1);
    await publish(g.url, log('a', 'live'));
    await client.until(() => client.seen.logs.length >= 2);
    expect(client.seen.logs).toEqual(['new', 'live']);
  });
});
