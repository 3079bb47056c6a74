import { act, render, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { LogsSSEProvider, type PersistenceStorage, useLogsSSE } from '../src/index';
import { createMockGateway, GATEWAY } from './mockGateway';

const gateway = createMockGateway();

const RUN = 'logs:etl:ws-1:run-1';
const KEY = `logs-sse:${RUN}`;

/** A storage the test can look into, that can be made to run out of space. */
function fakeStorage(quotaChars = Number.POSITIVE_INFINITY) {
  const items = new Map<string, string>();
  const storage: PersistenceStorage & { items: Map<string, string> } = {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      if (value.length > quotaChars) throw new DOMException('full', 'QuotaExceededError');
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
  };
  return storage;
}

function Panel({ maxLogs }: { maxLogs?: number }) {
  const { logs } = useLogsSSE({ channel: RUN, persistence: true, maxLogs });
  return (
    <ul>
      {logs.map((entry) => (
        <li key={entry.id}>{entry.message}</li>
      ))}
    </ul>
  );
}

function messages(): string[] {
  return Array.from(document.querySelectorAll('li'), (li) => li.textContent ?? '');
}

function saved(storage: { items: Map<string, string> }) {
  const text = storage.items.get(KEY);
  return text === undefined
    ? undefined
    : (JSON.parse(text) as { version: number; state: { logs: Array<{ message: string }>; cursor: string } });
}

describe('persistence', () => {
  it('saves the logs with their cursor, and a reload shows them at once and resumes after the cursor', async () => {
    const storage = fakeStorage();
    const first = render(
      <LogsSSEProvider gatewayUrl={GATEWAY} persistence={storage}>
        <Panel />
      </LogsSSEProvider>,
    );
    const stream = await gateway.openStream();
    const entries = [gateway.log(RUN, 'one'), gateway.log(RUN, 'two')];
    act(() => {
      for (const entry of entries) stream.send('log', entry);
    });
    await waitFor(() => expect(messages()).toEqual(['one', 'two']));
    first.unmount();
    expect(saved(storage)).toMatchObject({ version: 1, state: { cursor: entries[1]!.id } });
    expect(saved(storage)!.state.logs.map((entry) => entry.message)).toEqual(['one', 'two']);

    // What was published while the page reloaded comes from history, after the saved cursor.
    const missed = gateway.log(RUN, 'three');
    gateway.setHistory([...entries, missed]);
    const reloaded = fakeStorage();
    reloaded.items.set(KEY, storage.items.get(KEY)!);
    render(
      <LogsSSEProvider gatewayUrl={GATEWAY} persistence={reloaded}>
        <Panel />
      </LogsSSEProvider>,
    );
    expect(messages()).toEqual(['one', 'two']);
    await waitFor(() => expect(messages()).toEqual(['one', 'two', 'three']));
    expect(gateway.streams.at(-1)?.url.searchParams.get('history')).toBe(`${RUN}~${entries[1]!.id}`);
    // The reloaded page's stream is the second one the gateway saw (the first page's may still be closing).
    await waitFor(() => expect(gateway.streams).toHaveLength(2));
    const live = gateway.streams[1]!;
    act(() => live.send('log', gateway.log(RUN, 'four')));
    await waitFor(() => expect(messages()).toEqual(['one', 'two', 'three', 'four']));
  });

  it('keeps the logs when a panel unmounts on navigation and comes back', async () => {
    const storage = fakeStorage();
    function App({ show }: { show: boolean }) {
      return (
        <LogsSSEProvider gatewayUrl={GATEWAY} persistence={storage}>
          {show ? <Panel /> : <p>other page</p>}
        </LogsSSEProvider>
      );
    }
    const view = render(<App show />);
    const stream = await gateway.openStream();
    const entry = gateway.log(RUN, 'before navigation');
    act(() => stream.send('log', entry));
    await waitFor(() => expect(messages()).toEqual(['before navigation']));
    view.rerender(<App show={false} />);
    await waitFor(() => expect(stream.closed).toBe(true));
    const during = gateway.log(RUN, 'while away');
    gateway.setHistory([entry, during]);
    view.rerender(<App show />);
    expect(messages()).toEqual(['before navigation']);
    await waitFor(() => expect(messages()).toEqual(['before navigation', 'while away']));
  });

  it('bounds what it saves to maxLogs', async () => {
    const storage = fakeStorage();
    const view = render(
      <LogsSSEProvider gatewayUrl={GATEWAY} persistence={storage}>
        <Panel maxLogs={2} />
      </LogsSSEProvider>,
    );
    const stream = await gateway.openStream();
    act(() => {
      for (const message of ['a', 'b', 'c']) stream.send('log', gateway.log(RUN, message));
    });
    await waitFor(() => expect(messages()).toEqual(['b', 'c']));
    view.unmount();
    expect(saved(storage)!.state.logs.map((entry) => entry.message)).toEqual(['b', 'c']);
  });

  it('trims instead of failing when the storage is full', async () => {
    const storage = fakeStorage(600);
    const view = render(
      <LogsSSEProvider gatewayUrl={GATEWAY} persistence={storage}>
        <Panel />
      </LogsSSEProvider>,
    );
    const stream = await gateway.openStream();
    act(() => {
      for (let i = 0; i < 10; i++) stream.send('log', gateway.log(RUN, `line ${i}`));
    });
    await waitFor(() => expect(messages()).toHaveLength(10));
    view.unmount();
    const kept = saved(storage)!.state.logs.map((entry) => entry.message);
    // Ten entries are over the quota, and so are the newest five; the newest two (half of five) fit.
    expect(kept).toEqual(['line 8', 'line 9']);
  });

  it('resumes after the newest saved entry when the saved cursor or epoch is not a cursor, instead of throwing', async () => {
    const storage = fakeStorage();
    const entries = [gateway.log(RUN, 'one'), gateway.log(RUN, 'two')];
    storage.items.set(
      KEY,
      JSON.stringify({ version: 1, state: { logs: entries, cursor: 'damaged', epoch: 'also damaged' } }),
    );
    render(
      <LogsSSEProvider gatewayUrl={GATEWAY} persistence={storage}>
        <Panel />
      </LogsSSEProvider>,
    );
    expect(messages()).toEqual(['one', 'two']);
    await gateway.openStream();
    expect(gateway.streams.at(-1)?.url.searchParams.get('history')).toBe(`${RUN}~${entries[1]!.id}`);
  });

  it.each([
    ['text that is not JSON', '{"state": [unclosed'],
    ['JSON of another shape', '"just a string"'],
    [
      'entries of another shape',
      JSON.stringify({ version: 1, state: { logs: [{ nope: 1 }, 42], cursor: 7 } }),
    ],
  ])('ignores %s with a warning', async (_, text) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const storage = fakeStorage();
    storage.items.set(KEY, text);
    render(
      <LogsSSEProvider gatewayUrl={GATEWAY} persistence={storage}>
        <Panel />
      </LogsSSEProvider>,
    );
    expect(messages()).toEqual([]);
    expect(warn).toHaveBeenCalledWith('logs-sse: ignored saved logs it could not read');
    const stream = await gateway.openStream();
    act(() => stream.send('log', gateway.log(RUN, 'fresh')));
    await waitFor(() => expect(messages()).toEqual(['fresh']));
  });
});
