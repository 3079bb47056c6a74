import { createLogsClient } from '@logs-sse/client';
import { act, render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { LogsSSEProvider, useLogsSSE, useLogsStatus } from '../src/index';
import { createMockGateway, GATEWAY } from './mockGateway';

const gateway = createMockGateway();
const RUN = 'logs:etl:ws-1:run-9';

let hidden = false;
Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
afterEach(() => {
  hidden = false;
});

/** Hides or shows the page as the browser does: the property changes, then the event fires. */
function setHidden(value: boolean): void {
  act(() => {
    hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

let renders = 0;
function Panel() {
  renders++;
  const { logs } = useLogsSSE({ channel: RUN, tail: 0 });
  const { phase } = useLogsStatus({ channel: RUN });
  return (
    <section data-testid="panel" data-phase={phase ?? ''}>
      {logs.map((entry) => entry.message).join(',')}
    </section>
  );
}

let next = 1;
function log(message: string) {
  const id = `17000000${String(next++).padStart(5, '0')}-0`;
  return { id, channel: RUN, timestamp: '2026-11-24T12:00:00.000Z', level: 'info', message };
}

async function mount(pauseWhenHidden?: boolean) {
  const client = createLogsClient({ url: GATEWAY, bufferSize: 3 });
  render(
    <StrictMode>
      <LogsSSEProvider client={client} pauseWhenHidden={pauseWhenHidden}>
        <Panel />
      </LogsSSEProvider>
    </StrictMode>,
  );
  const stream = await gateway.openStream();
  act(() => stream.send('log', log('one')));
  await waitFor(() => expect(screen.getByTestId('panel').textContent).toBe('one'));
  return { client, stream };
}

describe('pauseWhenHidden', () => {
  it('renders nothing while the page is hidden, then all that arrived, in order, within the buffer', async () => {
    const { client, stream } = await mount();
    setHidden(true);
    const before = renders;
    act(() => {
      for (const message of ['two', 'three', 'four']) stream.send('log', log(message));
      stream.send('status', { ...log(''), phase: 'load' });
    });
    // The stream kept going: the client holds the new entries (its buffer keeps 3).
    await waitFor(() =>
      expect(client.getLogs(RUN).map((entry) => entry.message)).toEqual(['two', 'three', 'four']),
    );
    expect(client.getStatus(RUN)?.phase).toBe('load');
    expect(renders).toBe(before);
    expect(screen.getByTestId('panel').textContent).toBe('one');
    expect(screen.getByTestId('panel').dataset.phase).toBe('');

    setHidden(false);
    expect(screen.getByTestId('panel').textContent).toBe('two,three,four');
    expect(screen.getByTestId('panel').dataset.phase).toBe('load');
    // Visible again, each batch renders as it comes.
    act(() => stream.send('log', log('five')));
    await waitFor(() => expect(screen.getByTestId('panel').textContent).toBe('three,four,five'));
  });

  it('keeps rendering a hidden page when turned off', async () => {
    const { stream } = await mount(false);
    setHidden(true);
    act(() => stream.send('log', log('two')));
    await waitFor(() => expect(screen.getByTestId('panel').textContent).toBe('one,two'));
  });
});
