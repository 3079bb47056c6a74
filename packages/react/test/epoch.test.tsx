import { createLogsClient, type LogsClient } from '@logs-sse/client';
import { startGateway } from '@logs-sse/testing';
import { render, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { LogsSSEProvider, type PersistenceStorage, useLogsSSE } from '../src/index';

// Saved logs and a gateway that lost its history, against real gateways restarted on one port.
const RUN = 'logs:etl:ws-1:run-3';
const OTHER = 'logs:etl:ws-1:other';
const KEY = `logs-sse:${RUN}`;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function memoryStorage(
  items = new Map<string, string>(),
): PersistenceStorage & { items: Map<string, string> } {
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

function Panel({ channel, persistence }: { channel: string; persistence?: boolean }) {
  const { logs } = useLogsSSE({ channel, persistence });
  return <ol data-channel={channel}>{logs.map((entry) => entry.message).join(',')}</ol>;
}

function shown(channel: string): string | null | undefined {
  return document.querySelector(`[data-channel="${channel}"]`)?.textContent;
}

async function publish(url: string, messages: string[]): Promise<void> {
  const response = await fetch(`${url}/api/logs/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(messages.map((message) => ({ channel: RUN, level: 'info', message }))),
  });
  expect(response.status).toBe(202);
}

function saved(storage: { items: Map<string, string> }) {
  return JSON.parse(storage.items.get(KEY)!).state as {
    logs: { message: string }[];
    cursor: string;
    epoch: string;
  };
}

function client(url: string): LogsClient {
  const c = createLogsClient({ url, debounceMs: 1, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
  cleanups.push(() => c.close());
  return c;
}

/** The persisted panel of RUN on `client`, saving to `storage`. */
function renderRun(client: LogsClient, storage: ReturnType<typeof memoryStorage>) {
  return render(
    <StrictMode>
      <LogsSSEProvider client={client} persistence={storage}>
        <Panel channel={RUN} persistence />
      </LogsSSEProvider>
    </StrictMode>,
  );
}

/** Saves two entries of a gateway whose clock stands `aheadMs` ahead, then replaces it with one on time. */
async function saveThenRestart(aheadMs: number) {
  let now = 1_800_000_000_000 + aheadMs;
  const first = await startGateway({ now: () => now });
  await publish(first.url, ['old-1', 'old-2']);
  const storage = memoryStorage();
  const firstClient = client(first.url);
  const view = renderRun(firstClient, storage);
  await waitFor(() => expect(shown(RUN)).toBe('old-1,old-2'));
  view.unmount();
  const epoch = firstClient.stats().epoch;
  expect(epoch).toMatch(/^\d+-\d+$/);
  expect(saved(storage)).toMatchObject({ epoch, logs: [{ message: 'old-1' }, { message: 'old-2' }] });
  firstClient.close();
  await first.gateway.close();

  now = 1_800_000_060_000;
  const second = await startGateway({ now: () => now }, { port: first.port });
  cleanups.push(() => second.gateway.close());
  return { storage: memoryStorage(new Map(storage.items)), url: second.url, epoch };
}

describe('persisted logs and the epoch of the gateway', () => {
  it('drops the saved logs of a history the gateway lost, and saves the new epoch', async () => {
    const { storage, url, epoch } = await saveThenRestart(0);
    await publish(url, ['new-1']);
    const c = client(url);
    renderRun(c, storage);
    await waitFor(() => expect(shown(RUN)).toBe('new-1'));
    await waitFor(() => expect(saved(storage).logs.map((entry) => entry.message)).toEqual(['new-1']));
    expect(saved(storage).epoch).toBe(c.stats().epoch);
    expect(saved(storage).epoch).not.toBe(epoch);
  });

  it('drops them too when the saved cursor is newer than the new epoch, which the gateway cannot tell', async () => {
    // The first gateway's clock stood ten minutes ahead: its cursors are newer than anything the
    // second one hands out for a while, and a resume from them would skip every new entry.
    const { storage, url } = await saveThenRestart(600_000);
    await publish(url, ['new-1', 'new-2']);
    const c = client(url);
    const view = render(
      <StrictMode>
        <LogsSSEProvider client={c} persistence={storage}>
          <Panel channel={OTHER} />
        </LogsSSEProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(c.stats().epoch).toBeDefined());
    view.rerender(
      <StrictMode>
        <LogsSSEProvider client={c} persistence={storage}>
          <Panel channel={OTHER} />
          <Panel channel={RUN} persistence />
        </LogsSSEProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(shown(RUN)).toBe('new-1,new-2'));
    await waitFor(() => expect(saved(storage).epoch).toBe(c.stats().epoch));
  });

  it('drops them on a reload into a gateway whose epoch the client does not know yet, and shows the new run', async () => {
    // The first stream of a fresh page asks from the saved cursor, newer than anything the new history
    // holds: the client learns the epoch from the stream's hello and starts the channel over.
    const { storage, url } = await saveThenRestart(600_000);
    await publish(url, ['new-1', 'new-2']);
    const c = client(url);
    const gaps: string[] = [];
    renderRun(c, storage);
    const off = c.subscribe(RUN, { onGap: (gap) => gaps.push(gap.reason ?? '') });
    cleanups.push(off);
    await waitFor(() => expect(shown(RUN)).toBe('new-1,new-2'));
    await publish(url, ['new-3']);
    await waitFor(() => expect(shown(RUN)).toBe('new-1,new-2,new-3'));
    expect(gaps).toEqual(['reset']);
    await waitFor(() =>
      expect(saved(storage).logs.map((entry) => entry.message)).toEqual(['new-1', 'new-2', 'new-3']),
    );
    expect(saved(storage).epoch).toBe(c.stats().epoch);
    expect(c.stats().duplicates).toBe(0);
  });
});
