import { useLogsSSE } from '@logs-sse/react';
import { RESOURCES, WORKSPACE } from '../config';
import { LogPanel } from '../ui/LogPanel';
import { usePanelControls } from '../ui/usePanelControls';

/**
 * The checkout team's micro frontend. Its service logs through the OpenTelemetry SDK to the gateway's
 * OTLP endpoint; to the panel it is a channel like any other.
 */
export function CheckoutPanel({ tall = false }: { tall?: boolean }) {
  const controls = usePanelControls();
  const resource = RESOURCES.checkout;
  const { logs, connectionStatus, clear } = useLogsSSE({
    service: 'checkout',
    workspace_id: WORKSPACE,
    resource_id: resource,
    maxLogs: 10_000,
    filter: controls.filter,
    persistence: true,
  });
  const declined = logs.reduce((count, entry) => (entry.level === 'warn' ? count + 1 : count), 0);
  return (
    <LogPanel
      title={`Checkout (OpenTelemetry) · ${resource}`}
      channel={`logs:checkout:${WORKSPACE}:${resource}`}
      logs={logs}
      connectionStatus={connectionStatus}
      progress={{
        phase: declined > 0 ? `${declined} declined` : undefined,
        progress: undefined,
        message: undefined,
        done: false,
      }}
      controls={controls}
      onClear={clear}
      tall={tall}
    />
  );
}
