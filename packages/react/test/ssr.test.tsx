// @vitest-environment node
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LogsSSEProvider, useLogsConnection, useLogsSSE } from '../src/index';

function Panel() {
  const { logs, connectionStatus } = useLogsSSE({
    service: 'etl',
    workspace_id: 'ws-1',
    workflow_id: 'run-1',
    persistence: true,
  });
  const connection = useLogsConnection();
  return (
    <p data-status={connectionStatus} data-connection={connection.status}>
      {logs.length} logs
    </p>
  );
}

describe('server rendering', () => {
  it('imports and renders without a window: empty, idle, and no connection', () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const html = renderToString(
      <LogsSSEProvider gatewayUrl="http://127.0.0.1:1">
        <Panel />
      </LogsSSEProvider>,
    );
    expect(html).toBe('<p data-status="idle" data-connection="idle">0<!-- --> logs</p>');
  });
});
