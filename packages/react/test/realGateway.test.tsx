import { createLogsClient, type LogsClientOptions } from '@logs-sse/client';
import type { Gateway } from '@logs-sse/gateway';
import { startGateway } from '@logs-sse/testing';
import { render, waitFor } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogsSSEProvider, useLogsSSE } from '../src/index';

// The hook against the real gateway on loopback (no mocks), to prove the mocked tests and the gateway agree.
let gateway: Gateway;
let url: string;
beforeAll(async () => {
  ({ gateway, url } = await startGateway());
});
afterAll(() => gateway.close());

function Panel({ workflowId }: { workflowId: string }) {
  const { logs, status } = useLogsSSE({
    service: 'workflow',
    workspace_id: 'ws-1',
    workflow_id: workflowId,
    level: 'info',
  });
  return (
    <section data-channel={`logs:workflow:ws-1:${workflowId}`} data-phase={status?.phase ?? ''}>
      {logs.map((entry) => (
        <p key={entry.id} data-log-id={entry.id}>
          {entry.message}
        </p>
      ))}
    </section>
  );
}

async function publish(body: unknown) {
  const response = await fetch(`${url}/api/logs/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
}

describe('useLogsSSE with the real gateway', () => {
  it('shows what services publish, per panel, over one connection', async () => {
    render(
      <LogsSSEProvider gatewayUrl={url}>
        <Panel workflowId="wf-1" />
        <Panel workflowId="wf-2" />
      </LogsSSEProvider>,
    );
    await waitFor(() => expect(gateway.stats().connections).toBe(1));
    await publish({
      logs: [
        {
          service: 'workflow',
          workspace_id: 'ws-1',
          resource_id: 'wf-1',
          level: 'debug',
          message: 'hidden by level',
        },
        { service: 'workflow', workspace_id: 'ws-1', resource_id: 'wf-1', level: 'info', message: 'queued' },
        {
          service: 'workflow',
          workspace_id: 'ws-1',
          resource_id: 'wf-2',
          level: 'WARNING',
          message: '<b>not html</b>',
        },
        {
          type: 'status',
          service: 'workflow',
          workspace_id: 'ws-1',
          resource_id: 'wf-2',
          phase: 'provisioning',
          progress: 10,
        },
      ],
    });
    const panels = () => Array.from(document.querySelectorAll('section'));
    await waitFor(() =>
      expect(panels().map((panel) => Array.from(panel.querySelectorAll('p'), (p) => p.textContent))).toEqual([
        ['queued'],
        ['<b>not html</b>'],
      ]),
    );
    await waitFor(() => expect(panels()[1]!.dataset.phase).toBe('provisioning'));
    expect(document.querySelector('b')).toBeNull();
    expect(gateway.stats().connections).toBe(1);
  });

  it('makes its client with createClient, from the props it was given', async () => {
    const made: LogsClientOptions[] = [];
    const createClient = (options: LogsClientOptions) => {
      made.push(options);
      return createLogsClient(options);
    };
    const view = render(
      <LogsSSEProvider
        gatewayUrl={url}
        bufferSize={50}
        headers={{ 'x-app': 'panels' }}
        createClient={createClient}
      >
        <Panel workflowId="wf-3" />
      </LogsSSEProvider>,
    );
    await waitFor(() => expect(gateway.stats().subscriptions['logs:workflow:ws-1:wf-3']).toBe(1));
    expect(made).toEqual([{ url, token: undefined, headers: { 'x-app': 'panels' }, bufferSize: 50 }]);
    await publish({ service: 'workflow', workspace_id: 'ws-1', resource_id: 'wf-3', message: 'through it' });
    await waitFor(() =>
      expect(document.querySelector('[data-channel="logs:workflow:ws-1:wf-3"] p')?.textContent).toBe(
        'through it',
      ),
    );
    view.unmount();
  });
});
