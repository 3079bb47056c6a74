import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogsPublisher, type LogsPublisher, type PublisherOptions } from '../src/index';
import { LoopbackServer } from './helpers/loopbackServer';
import { ManualTimers } from './helpers/manualTimers';

let server: LoopbackServer;
let timers: ManualTimers;
const open: LogsPublisher[] = [];

beforeEach(async () => {
  server = await LoopbackServer.start();
  timers = new ManualTimers();
});

afterEach(async () => {
  const closing = open.splice(0).map((pub) => pub.close());
  timers.advance(60_000);
  await Promise.all(closing);
  await server.close();
});

function make(options: Partial<PublisherOptions> = {}): LogsPublisher {
  const pub = createLogsPublisher({
    url: server.url,
    service: 'svc',
    timers,
    now: timers.now,
    heartbeatIntervalMs: 0,
    closeTimeoutMs: 0,
    ...options,
  });
  open.push(pub);
  return pub;
}

/** The default, unref'd timers: for tests that let the publisher send. */
const realTimers = { timers: undefined, now: undefined };

const entry = (i: number) => ({ workspace_id: 'ws', resource_id: 'r', message: `m${i}`, i });

function addsUp(pub: LogsPublisher): void {
  const s = pub.stats();
  expect(s.generated).toBe(s.sent + s.dropped + s.queueSize);
  expect(s.dropped).toBe(Object.values(s.droppedBy).reduce((a, b) => a + b, 0));
}

describe('publish()', () => {
  it('queues valid entries and returns true, without sending on the caller thread', () => {
    const pub = make();
    expect(pub.publish(entry(1))).toBe(true);
    expect(pub.status('r', { workspace_id: 'ws', phase: 'active', progress: 40 })).toBe(true);
    expect(pub.done('r', { workspace_id: 'ws' })).toBe(true);
    expect(pub.stats()).toMatchObject({ generated: 3, queueSize: 3, sent: 0, connectionStatus: 'idle' });
    expect(server.requests).toHaveLength(0);
    addsUp(pub);
  });

  it('never throws on hostile input, returns false and counts it invalid', () => {
    const pub = make();
    const circular: Record<string, unknown> = { workspace_id: 'ws', resource_id: 'r', message: 'm' };
    circular.self = circular;
    const throwingGetter = {
      workspace_id: 'ws',
      resource_id: 'r',
      get message(): string {
        throw new Error('boom');
      },
    };
    const throwingProxy = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const throwingToJSON = {
      ...entry(0),
      toJSON: () => {
        throw new Error('no');
      },
    };
    const hostile: unknown[] = [
      circular,
      { ...entry(0), big: 10n },
      { ...entry(0), message: 'x'.repeat(2_000_000) },
      throwingGetter,
      throwingProxy,
      revoked.proxy,
      throwingToJSON,
      null,
      undefined,
      42,
      'a string',
      [entry(0)],
      Symbol('s'),
      () => entry(0),
      { ...entry(0), message: 7 },
      { ...entry(0), level: {} },
      { ...entry(0), type: 'nope' },
      Object.create(null),
    ];
    for (const input of hostile) {
      expect(() => pub.publish(input as never)).not.toThrow();
      expect(pub.publish(input as never)).toBe(false);
    }
    expect(pub.status('r', throwingProxy as never)).toBe(false);
    expect(pub.status('r', null as never)).toBe(false);
    expect(pub.done('bad resource!', { workspace_id: 'ws' })).toBe(false);
    expect(pub.stats().droppedBy.invalid).toBe(hostile.length * 2 + 3);
    expect(pub.stats().queueSize).toBe(0);
    addsUp(pub);
  });

  it('never throws for any value at all (property)', () => {
    const pub = make({ maxQueueSize: 50 });
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withMap: true, withSet: true, withNullPrototype: true }),
        (v) => {
          expect(typeof pub.publish(v as never)).toBe('boolean');
          expect(typeof pub.publish({ ...entry(0), extra: v })).toBe('boolean');
        },
      ),
    );
    addsUp(pub);
  });

  it('drops an entry larger than maxBatchBytes as tooLarge', () => {
    const pub = make({ maxBatchBytes: 1000 });
    expect(pub.publish({ ...entry(0), blob: 'x'.repeat(5000) })).toBe(false);
    expect(pub.stats().droppedBy.tooLarge).toBe(1);
    addsUp(pub);
  });

  it('drop-oldest keeps the newest entries within maxQueueSize', async () => {
    const pub = make({ maxQueueSize: 3, ...realTimers });
    for (let i = 1; i <= 5; i++) expect(pub.publish(entry(i))).toBe(true);
    expect(pub.stats()).toMatchObject({ queueSize: 3, droppedBy: { overflow: 2 } });
    addsUp(pub);
    expect(await pub.flush()).toBe(true);
    expect(server.entries.map((e) => e.i)).toEqual([3, 4, 5]);
    expect(pub.stats()).toMatchObject({ sent: 3, queueSize: 0 });
    addsUp(pub);
  });

  it('drop-newest keeps the oldest and returns false', async () => {
    const pub = make({ maxQueueSize: 3, overflow: 'drop-newest', ...realTimers });
    const results = [1, 2, 3, 4, 5].map((i) => pub.publish(entry(i)));
    expect(results).toEqual([true, true, true, false, false]);
    expect(await pub.flush()).toBe(true);
    expect(server.entries.map((e) => e.i)).toEqual([1, 2, 3]);
    addsUp(pub);
  });

  it('bounds the queue by bytes, counting the batch in flight', async () => {
    server.respond = () => 'hang';
    const pub = make({ maxQueueBytes: 2000, batchSize: 5, requestTimeoutMs: 60_000, ...realTimers });
    for (let i = 0; i < 5; i++) pub.publish(entry(i));
    await server.until(() => server.requests.length === 1);
    // The five in flight still count: the queue may only grow to the byte bound.
    for (let i = 5; i < 200; i++) pub.publish(entry(i));
    const s = pub.stats();
    expect(s.queueBytes).toBeLessThanOrEqual(2000);
    expect(s.queueSize).toBeGreaterThan(5);
    expect(s.droppedBy.overflow).toBeGreaterThan(0);
    addsUp(pub);
  });

  it('returns false after close and counts it as closed', async () => {
    const pub = make();
    await pub.close();
    expect(pub.publish(entry(1))).toBe(false);
    expect(pub.stats()).toMatchObject({ generated: 1, droppedBy: { closed: 1 }, connectionStatus: 'closed' });
  });

  it('child() binds fields and checks them', async () => {
    const pub = make(realTimers);
    const run = pub.child({ workspace_id: 'ws-9', resource_id: 'run-1' });
    const step = run.child({ step: 'load' });
    expect(step.publish({ message: 'hello' })).toBe(true);
    expect(run.status('run-2', { phase: 'active' })).toBe(true);
    await pub.flush();
    expect(server.entries[0]).toMatchObject({
      service: 'svc',
      workspace_id: 'ws-9',
      resource_id: 'run-1',
      step: 'load',
    });
    expect(server.entries[1]).toMatchObject({ type: 'status', workspace_id: 'ws-9', resource_id: 'run-2' });
    expect(() => pub.child({ workspace_id: 'not valid' })).toThrow(/workspace_id/);
    expect(() => pub.child(null as never)).toThrow(/needs an object/);
  });

  it('throws on misuse at creation with a message that says what to do', () => {
    expect(() => createLogsPublisher(undefined as never)).toThrow(/options object/);
    expect(() => createLogsPublisher({ url: 'localhost', service: 's' })).toThrow(/url/);
    expect(() => createLogsPublisher({ url: server.url, service: 'a:b' })).toThrow(/service/);
    expect(() => createLogsPublisher({ url: server.url, service: 's', maxQueueSize: 0 })).toThrow(
      /maxQueueSize/,
    );
    expect(() => createLogsPublisher({ url: server.url, service: 's', overflow: 'x' as never })).toThrow(
      /overflow/,
    );
  });
});
