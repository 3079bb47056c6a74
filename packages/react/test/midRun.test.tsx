import { createGateway, type Gateway } from '@logs-sse/gateway';
import { act, render, waitFor } from '@testing-library/react';
import { StrictMode, useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { LogsSSEProvider, useLogsSSE, useLogsStatus } from '../src/index';

// A view opened on a run that is already under way, against the real gateway.
const CHANNEL = 'logs:etl:ws-1:run-7';
let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function start(): Promise<string> {
  gateway = createGateway({ logger: false });
  return (await gateway.listen({ port: 0, host: '127.0.0.1' })).url;
}

async function publish(url: string, logs: unknown[]) {
  const response = await fetch(`${url}/api/logs/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ logs }),
  });
  expect(response.status).toBe(202);
}

function Panel() {
  const { logs, status } = useLogsSSE({ channel: CHANNEL });
  return (
    <section data-phase={status?.phase ?? 'waiting for status'}>
      {logs.map((entry) => (
        <p key={entry.id}>{entry.message}</p>
      ))}
    </section>
  );
}

/** Records the phase of every render, the first one included. */
function Progress({ renders }: { renders: string[] }) {
  const { phase } = useLogsStatus({ channel: CHANNEL });
  renders.push(phase ?? 'waiting for status');
  return <output>{phase}</output>;
}

describe('a view opened mid-run', () => {
  it('opens with the recent history and the current phase, though nothing new is published', async () => {
    const url = await start();
    await publish(url, [
      { type: 'status', channel: CHANNEL, phase: 'extract', progress: 20 },
      ...Array.from({ length: 150 }, (_, i) => ({ channel: CHANNEL, message: `line ${i}` })),
      { type: 'status', channel: CHANNEL, phase: 'transform', progress: 60 },
    ]);
    render(
      <StrictMode>
        <LogsSSEProvider gatewayUrl={url}>
          <Panel />
        </LogsSSEProvider>
      </StrictMode>,
    );
    const section = () => document.querySelector('section')!;
    // The default tail: the last 100 entries, the newest status among them.
    await waitFor(() => expect(section().querySelectorAll('p')).toHaveLength(99));
    expect(section().querySelector('p')!.textContent).toBe('line 51');
    await waitFor(() => expect(section().dataset.phase).toBe('transform'));
  });

  it('shows the phase on the first render of a progress bar mounted while its channel is open', async () => {
    const url = await start();
    await publish(url, [{ type: 'status', channel: CHANNEL, phase: 'load', progress: 90 }]);
    const renders: string[] = [];
    let showProgress: (show: boolean) => void = () => {};
    function App() {
      const [progress, setProgress] = useState(false);
      showProgress = setProgress;
      return (
        <LogsSSEProvider gatewayUrl={url}>
          <Panel />
          {progress && <Progress renders={renders} />}
        </LogsSSEProvider>
      );
    }
    render(<App />);
    await waitFor(() => expect(document.querySelector('section')!.dataset.phase).toBe('load'));
    act(() => showProgress(true));
    await waitFor(() => expect(renders.length).toBeGreaterThan(0));
    expect(renders[0]).toBe('load');
  });
});
