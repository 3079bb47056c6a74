import type { GapEvent, StatusEntry } from '@logs-sse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogsClient, type LogsClient } from '../src/index';
import { expected, publishRange, startGateway } from './gatewayHelpers';
import { CHANNEL_A } from './helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(url: string): LogsClient {
  const c = createLogsClient({ url, debounceMs: 1, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
  cleanups.push(() => c.close());
  return c;
}

/** Resolves once `condition` holds, checked after every change `subscribe` reports. */
function until(condition: () => boolean, watch: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const check = () => condition() && resolve();
    watch(check);
    check();
  });
}

async function publishStatus(url: string, phase: string): Promise<void> {
  const response = await fetch(`${url}/api/logs/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'status', channel: CHANNEL_A, phase, progress: 40 }),
  });
  expect(response.status).toBe(202);
}

describe('the state of a run and the epoch of a history', () => {
  it('getStatus holds the phase published before the channel was subscribed, with no tail', async () => {
    const g = await startGateway();
    cleanups.push(() => g.gateway.close());
    await publishStatus(g.url, 'transform');
    const c = client(g.url);
    const statuses: StatusEntry[] = [];
    let wake = () => {};
    c.subscribe(CHANNEL_A, {
      onStatus: (status) => {
        statuses.push(status);
        wake();
      },
    });
    await until(
      () => c.getStatus(CHANNEL_A) !== undefined,
      (w) => {
        wake = w;
      },
    );
    expect(c.getStatus(CHANNEL_A)).toMatchObject({ phase: 'transform', progress: 40 });
    expect(statuses.map((s) => s.phase)).toEqual(['transform']);
    expect(c.getLogs(CHANNEL_A)).toEqual([]);
    expect(c.getStatus('logs:etl:ws-1:other')).toBeUndefined();
  });

  it('empties the buffer and calls onGap when the gateway restarted while it was away', async () => {
    let now = 1_800_000_000_000;
    const first = await startGateway({ now: () => now, retryMs: 10 });
    await publishRange(first.url, CHANNEL_A, 1, 3);
    const c = client(first.url);
    const gaps: GapEvent[] = [];
    let wake = () => {};
    c.subscribe(CHANNEL_A, {
      tail: 10,
      onChange: () => wake(),
      onGap: (gap) => {
        gaps.push(gap);
        wake();
      },
    });
    const watch = (w: () => void) => {
      wake = w;
    };
    await until(() => c.getLogs(CHANNEL_A).length === 3, watch);
    await publishRange(first.url, CHANNEL_A, 4, 4);
    await until(() => c.getLogs(CHANNEL_A).length === 4, watch);
    const cursor = c.stats().lastEventId;
    await first.gateway.close();

    // A new process on the same address: its memory holds none of what the client saw.
    now += 60_000;
    const second = await startGateway({ now: () => now }, first.port);
    cleanups.push(() => second.gateway.close());
    await publishRange(second.url, CHANNEL_A, 10, 11);
    await until(() => gaps.length === 1 && c.getLogs(CHANNEL_A).length === 2, watch);
    expect(gaps).toEqual([{ channel: CHANNEL_A, missed: 0, from: cursor, reason: 'reset' }]);
    expect(c.getLogs(CHANNEL_A).map((e) => e.message)).toEqual(expected(CHANNEL_A, 10, 11));
  });

  it('starts a channel over from its tail when `since` was saved under another epoch and is newer than the new one', async () => {
    // A gateway whose clock stood ten minutes ahead, then lost its history: its cursors are newer than
    // the new history's, so the gateway takes a saved one for its own and would skip every new entry.
    let now = 1_800_000_600_000;
    const first = await startGateway({ now: () => now });
    await publishRange(first.url, CHANNEL_A, 1, 2);
    const before = client(first.url);
    let wake = () => {};
    const watch = (w: () => void) => {
      wake = w;
    };
    before.subscribe(CHANNEL_A, { tail: 10, onChange: () => wake() });
    await until(() => before.getLogs(CHANNEL_A).length === 2, watch);
    const saved = before.getLogs(CHANNEL_A).at(-1)!.id;
    const savedEpoch = before.stats().epoch!;
    before.close();
    await first.gateway.close();

    now = 1_800_000_060_000;
    const second = await startGateway({ now: () => now }, first.port);
    cleanups.push(() => second.gateway.close());
    await publishRange(second.url, CHANNEL_A, 10, 12);
    const c = client(second.url);
    const gaps: GapEvent[] = [];
    c.subscribe(CHANNEL_A, {
      since: saved,
      epoch: savedEpoch,
      tail: 2,
      onChange: () => wake(),
      onGap: (gap) => {
        gaps.push(gap);
        wake();
      },
    });
    await until(() => c.getLogs(CHANNEL_A).length === 2, watch);
    expect(gaps).toEqual([{ channel: CHANNEL_A, missed: 0, from: saved, reason: 'reset' }]);
    expect(c.getLogs(CHANNEL_A).map((e) => e.message)).toEqual(expected(CHANNEL_A, 11, 12));
    await publishRange(second.url, CHANNEL_A, 13, 13);
    await until(() => c.getLogs(CHANNEL_A).length === 3, watch);
    expect(c.getLogs(CHANNEL_A).map((e) => e.message)).toEqual(expected(CHANNEL_A, 11, 13));
    expect(c.stats()).toMatchObject({ duplicates: 0, epoch: expect.not.stringMatching(savedEpoch) });

    // The same `since` under the epoch it was saved in is taken as it is.
    const same = client(second.url);
    const sameGaps: GapEvent[] = [];
    same.subscribe(CHANNEL_A, {
      since: c.getLogs(CHANNEL_A)[0]!.id,
      epoch: c.stats().epoch,
      onChange: () => wake(),
      onGap: (gap) => sameGaps.push(gap),
    });
    await until(() => same.getLogs(CHANNEL_A).length === 2, watch);
    expect(same.getLogs(CHANNEL_A).map((e) => e.message)).toEqual(expected(CHANNEL_A, 12, 13));
    expect(sameGaps).toEqual([]);
  });
});
