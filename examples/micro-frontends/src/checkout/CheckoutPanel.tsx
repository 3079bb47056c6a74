import { LogView } from '@logs-sse/log-view';
import { useLogsSSE } from '@logs-sse/react';
import { RESOURCES, WORKSPACE } from '../config';

/**
 * The checkout team's micro frontend. Its service logs through the OpenTelemetry SDK to the gateway's
 * OTLP endpoint; to the panel it is a channel like any other.
 */
export function CheckoutPanel({ tall = false }: { tall?: boolean }) {
  const resource = RESOURCES.checkout;
  const logs = useLogsSSE({
    service: 'checkout',
    workspace_id: WORKSPACE,
    resource_id: resource,
    maxLogs: 10_000,
    persistence: true,
  });
  return (
    <LogView
      {...logs}
      title={`Checkout (OpenTelemetry) · ${resource}`}
      channel={`logs:checkout:${WORKSPACE}:${resource}`}
      theme="dark"
      className={tall ? 'panel tall' : 'panel'}
    />
  );
}
