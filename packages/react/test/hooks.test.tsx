import { createLogsClient } from '@logs-sse/client';
import { act, render, screen, waitFor } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { LogsSSEProvider, useLogsConnection, useLogsSSE, useLogsStatus } from '../src/index';
import { createMockGateway, GATEWAY } from './mockGateway';

const gateway = createMockGateway();

const WF = 'logs:workflow:ws-1:wf-7';

describe('useLogsStatus and useLogsConnection', () => {
  it('follow phase, progress and done of a resource, and the connection', async () => {
    function Progress() {
      const { phase, progress, done } = useLogsStatus({
        service: 'workflow',
        workspace_id: 'ws-1',
        workflow_id: 'wf-7',
      });
      const { status } = useLogsConnection();
      return (
        <p data-testid="progress">{`${status} ${phase ?? '-'} ${progress ?? '-'} ${done ? 'done' : 'running'}`}</p>
      );
    }
    render(
      <LogsSSEProvider gatewayUrl={GATEWAY}>
        <Progress />
      </LogsSSEProvider>,
    );
    const stream = await gateway.openStream();
    await waitFor(() => expect(screen.getByTestId('progress').textContent).toBe('open - - running'));
    act(() => {
      stream.send('status', {
        id: '1700000000001-0',
        channel: WF,
        timestamp: '2026-11-24T12:00:00.000Z',
        phase: 'model_loading',
        progress: 60,
      });
    });
    await waitFor(() =>
      expect(screen.getByTestId('progress').textContent).toBe('open model_loading 60 running'),
    );
    act(() =>
      stream.send('done', { id: '1700000000002-0', channel: WF, timestamp: '2026-11-24T12:00:01.000Z' }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('progress').textContent).toBe('open model_loading 60 done'),
    );
  });

  it('tell each misuse with a TypeError that says what was expected', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    function Orphan() {
      useLogsSSE({ channel: WF });
      return null;
    }
    expect(() => render(<Orphan />)).toThrow(
      new TypeError('useLogsSSE must be called inside <LogsSSEProvider gatewayUrl="...">'),
    );
    expect(() => render(<LogsSSEProvider />)).toThrow(
      new TypeError('<LogsSSEProvider> needs gatewayUrl="https://..." or client'),
    );
    expect(() => render(<LogsSSEProvider gatewayUrl={GATEWAY} bufferSize={0} />)).toThrow(
      new TypeError('createLogsClient: bufferSize must be a positive integer'),
    );
  });
});

describe('clear and enabled', () => {
  it('clear() hides what was shown and keeps what comes next; enabled=false opens nothing', async () => {
    function Panel({ enabled }: { enabled: boolean }) {
      const { logs, clear } = useLogsSSE({ channel: WF, enabled });
      return (
        <>
          <button type="button" onClick={clear}>
            clear
          </button>
          <ul>
            {logs.map((entry) => (
              <li key={entry.id}>{entry.message}</li>
            ))}
          </ul>
        </>
      );
    }
    const client = createLogsClient({ url: GATEWAY });
    const view = render(
      <LogsSSEProvider client={client}>
        <Panel enabled={false} />
      </LogsSSEProvider>,
    );
    // A hook subscribes as it mounts: a disabled one leaves the client without a channel to connect for.
    expect(client.stats().channels).toBe(0);
    expect(client.status).toBe('idle');
    view.rerender(
      <LogsSSEProvider client={client}>
        <Panel enabled />
      </LogsSSEProvider>,
    );
    expect(client.stats().channels).toBe(1);
    const stream = await gateway.openStream();
    act(() => stream.send('log', gateway.log(WF, 'old')));
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(1));
    act(() => screen.getByText('clear').click());
    expect(screen.queryAllByRole('listitem')).toHaveLength(0);
    act(() => stream.send('log', gateway.log(WF, 'new')));
    await waitFor(() => expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['new']));
    expect(gateway.streams).toHaveLength(1);
    view.unmount();
    client.close();
  });
});

describe('hydration', () => {
  it('hydrates server markup without a mismatch, then shows saved logs', async () => {
    const channel = 'logs:etl:ws-1:run-1';
    sessionStorage.setItem(
      `logs-sse:${channel}`,
      JSON.stringify({ version: 1, state: { logs: [gateway.log(channel, 'saved line')], cursor: null } }),
    );
    function Panel() {
      const { logs, connectionStatus } = useLogsSSE({ channel, persistence: true });
      return <p data-status={connectionStatus}>{logs.map((entry) => entry.message).join('|') || 'empty'}</p>;
    }
    const app = (
      <LogsSSEProvider gatewayUrl={GATEWAY}>
        <Panel />
      </LogsSSEProvider>
    );
    // The server has no storage: it renders the empty state.
    const html = renderToString(
      <LogsSSEProvider gatewayUrl={GATEWAY} persistence="memory">
        <Panel />
      </LogsSSEProvider>,
    );
    expect(html).toBe('<p data-status="idle">empty</p>');
    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const recoverable = vi.fn();
    const root = await act(async () => hydrateRoot(container, app, { onRecoverableError: recoverable }));
    await waitFor(() => expect(container.textContent).toBe('saved line'));
    expect(recoverable).not.toHaveBeenCalled();
    expect(errors).not.toHaveBeenCalled();
    act(() => root.unmount());
    container.remove();
  });
});
