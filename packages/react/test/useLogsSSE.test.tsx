import { createLogsClient } from '@logs-sse/client';
import type { LogEntry } from '@logs-sse/protocol';
import { act, render, screen, waitFor } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { StrictMode, Suspense, useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { LogsSSEProvider, type UseLogsSSEOptions, useLogsSSE } from '../src/index';
import { createMockGateway, GATEWAY } from './mockGateway';

const gateway = createMockGateway();

const RUN = 'logs:etl:ws-1:run-1';

function Panel(props: UseLogsSSEOptions & { onRender?: () => void }) {
  const { onRender, ...options } = props;
  onRender?.();
  const { logs, connectionStatus, lastLog } = useLogsSSE(options);
  return (
    <section data-channel={options.channel ?? 'parts'} data-status={connectionStatus}>
      <p data-testid="last">{lastLog?.message ?? ''}</p>
      <ul>
        {logs.map((entry) => (
          <li key={entry.id} data-log-id={entry.id}>
            {entry.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

function messages(): string[] {
  return Array.from(document.querySelectorAll('li'), (li) => li.textContent ?? '');
}

describe('useLogsSSE', () => {
  it('renders logs as they stream, over one connection for every panel', async () => {
    render(
      <LogsSSEProvider gatewayUrl={GATEWAY}>
        <Panel service="etl" workspace_id="ws-1" workflow_id="run-1" />
        <Panel channel="logs:wf:ws-1:wf-7" />
      </LogsSSEProvider>,
    );
    const stream = await gateway.openStream();
    expect(stream.url.searchParams.get('channels')?.split(',').sort()).toEqual([RUN, 'logs:wf:ws-1:wf-7']);
    act(() => {
      stream.send('log', gateway.log(RUN, 'extract started'));
      stream.send('log', gateway.log('logs:wf:ws-1:wf-7', 'provisioning'));
    });
    await waitFor(() => expect(messages()).toEqual(['extract started', 'provisioning']));
    await waitFor(() => expect(document.querySelector('section')?.dataset.status).toBe('open'));
    expect(gateway.streams).toHaveLength(1);
  });

  it('keeps only the newest maxLogs entries', async () => {
    render(
      <LogsSSEProvider gatewayUrl={GATEWAY}>
        <Panel channel={RUN} maxLogs={3} />
      </LogsSSEProvider>,
    );
    const stream = await gateway.openStream();
    act(() => {
      for (let i = 1; i <= 5; i++) stream.send('log', gateway.log(RUN, `line ${i}`));
    });
    await waitFor(() => expect(messages()).toEqual(['line 3', 'line 4', 'line 5']));
  });

  it('filters by level, search and predicate without re-subscribing', async () => {
    function Filtered() {
      const [filter, setFilter] = useState<UseLogsSSEOptions['filter']>({ level: 'warn' });
      const { logs } = useLogsSSE({ channel: RUN, filter });
      return (
        <>
          <button type="button" onClick={() => setFilter({ search: 'DISK' })}>
            search
          </button>
          <button
            type="button"
            onClick={() => setFilter(() => (entry: LogEntry) => entry.message.endsWith('2'))}
          >
            predicate
          </button>
          <ul>
            {logs.map((entry) => (
              <li key={entry.id}>{entry.message}</li>
            ))}
          </ul>
        </>
      );
    }
    render(
      <LogsSSEProvider gatewayUrl={GATEWAY}>
        <Filtered />
      </LogsSSEProvider>,
    );
    const stream = await gateway.openStream();
    act(() => {
      stream.send('log', gateway.log(RUN, 'disk almost full 1', 'warn'));
      stream.send('log', gateway.log(RUN, 'all good 2', 'info'));
      stream.send('log', gateway.log(RUN, 'crash 3', 'error'));
    });
    await waitFor(() => expect(messages()).toEqual(['disk almost full 1', 'crash 3']));
    act(() => screen.getByText('search').click());
    expect(messages()).toEqual(['disk almost full 1']);
    act(() => screen.getByText('predicate').click());
    expect(messages()).toEqual(['all good 2']);
    expect(gateway.streams).toHaveLength(1);
  });

  it('switches channel cleanly when workflow_id changes', async () => {
    function Switcher() {
      const [run, setRun] = useState('run-1');
      return (
        <>
          <button type="button" onClick={() => setRun('run-2')}>
            next
          </button>
          <Panel service="etl" workspace_id="ws-1" workflow_id={run} />
        </>
      );
    }
    render(
      <LogsSSEProvider gatewayUrl={GATEWAY}>
        <Switcher />
      </LogsSSEProvider>,
    );
    const first = await gateway.openStream();
    act(() => first.send('log', gateway.log(RUN, 'from run 1')));
    await waitFor(() => expect(messages()).toEqual(['from run 1']));
    act(() => screen.getByText('next').click());
    expect(messages()).toEqual([]);
    await waitFor(() => expect(first.closed).toBe(true));
    const second = await gateway.openStream();
    expect(second.url.searchParams.get('channels')).toBe('logs:etl:ws-1:run-2');
    act(() => second.send('log', gateway.log('logs:etl:ws-1:run-2', 'from run 2')));
    await waitFor(() => expect(messages()).toEqual(['from run 2']));
  });

  it('leaves no subscription and no connection behind on unmount', async () => {
    const client = createLogsClient({ url: GATEWAY });
    const view = render(
      <LogsSSEProvider client={client}>
        <Panel channel={RUN} />
      </LogsSSEProvider>,
    );
    const stream = await gateway.openStream();
    view.unmount();
    await waitFor(() => expect(client.status).toBe('idle'));
    expect(client.stats().channels).toBe(0);
    // The abort reaches the mocked server a moment after the client went idle.
    await waitFor(() => expect(stream.closed).toBe(true));
    client.close();
  });

  it('opens one connection under StrictMode and Suspense', async () => {
    const client = createLogsClient({ url: GATEWAY });
    render(
      <StrictMode>
        <LogsSSEProvider client={client}>
          <Suspense fallback={<p>loading</p>}>
            <Panel channel={RUN} />
            <Panel channel={RUN} />
          </Suspense>
        </LogsSSEProvider>
      </StrictMode>,
    );
    const stream = await gateway.openStream();
    act(() => stream.send('log', gateway.log(RUN, 'once')));
    await waitFor(() => expect(messages()).toEqual(['once', 'once']));
    expect(gateway.streams).toHaveLength(1);
    expect(client.stats().channels).toBe(1);
    client.close();
  });

  it('renders once per batch, and keeps the logs reference between batches', async () => {
    const onRender = vi.fn();
    const seen: Array<readonly unknown[]> = [];
    function Counting() {
      onRender();
      const { logs } = useLogsSSE({ channel: RUN });
      if (seen.at(-1) !== logs) seen.push(logs);
      return <p>{logs.length}</p>;
    }
    render(
      <LogsSSEProvider gatewayUrl={GATEWAY}>
        <Counting />
      </LogsSSEProvider>,
    );
    const stream = await gateway.openStream();
    await waitFor(() => expect(document.querySelector('p')?.textContent).toBe('0'));
    const before = onRender.mock.calls.length;
    const batches = 4;
    for (let b = 0; b < batches; b++) {
      act(() => stream.send('log', gateway.log(RUN, `batch ${b}`)));
      await waitFor(() => expect(document.querySelector('p')?.textContent).toBe(String(b + 1)));
    }
    // One render per batch; the connection status does not change in between.
    expect(onRender.mock.calls.length - before).toBe(batches);
    expect(seen.map((logs) => logs.length)).toEqual([0, 1, 2, 3, 4]);
  });

  it('renders once for a chunk of many entries', async () => {
    // A stream whose chunks the test writes itself, so that 200 entries arrive in one network chunk.
    let push: (text: string) => void = () => {};
    gateway.server.use(
      http.get(`${GATEWAY}/api/logs/stream`, () => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            const encoder = new TextEncoder();
            push = (text) => controller.enqueue(encoder.encode(text));
            push(
              'retry: 1000\n\nevent: hello\ndata: {"connectionId":"c1","heartbeatSeconds":15,"channels":[]}\n\n',
            );
          },
        });
        return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
      }),
    );
    const onRender = vi.fn();
    function Counting() {
      onRender();
      const { logs, connectionStatus } = useLogsSSE({ channel: RUN });
      return <p data-status={connectionStatus}>{logs.length}</p>;
    }
    render(
      <LogsSSEProvider gatewayUrl={GATEWAY}>
        <Counting />
      </LogsSSEProvider>,
    );
    await waitFor(() => expect(document.querySelector('p')?.dataset.status).toBe('open'));
    const before = onRender.mock.calls.length;
    let chunk = '';
    for (let i = 0; i < 200; i++) {
      const entry = gateway.log(RUN, `line ${i}`);
      chunk += `id: ${entry.id}\nevent: log\ndata: ${JSON.stringify(entry)}\n\n`;
    }
    act(() => push(chunk));
    await waitFor(() => expect(document.querySelector('p')?.textContent).toBe('200'));
    expect(onRender.mock.calls.length - before).toBe(1);
  });
});
