import { LogView } from '@logs-sse/log-view';
import { useLogsSSE } from '@logs-sse/react';
import { RESOURCES, WORKSPACE } from '../config';
import { runDone } from '../ui/runDone';

/** The functions team's micro frontend: bursts of output from one function, stack traces included. */
export function FunctionsPanel({ tall = false }: { tall?: boolean }) {
  const fn = RESOURCES.functions;
  const logs = useLogsSSE({
    service: 'functions',
    workspace_id: WORKSPACE,
    resource_id: fn,
    maxLogs: 10_000,
    persistence: true,
  });
  // A function reports no phases of its own: its errors so far stand in for one.
  const errors = logs.logs.reduce((count, entry) => (entry.level === 'error' ? count + 1 : count), 0);
  const phase = errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : undefined;
  return (
    <LogView
      {...logs}
      status={logs.status ?? (phase === undefined ? undefined : { phase })}
      done={runDone(logs.status, logs.done)}
      title={`Function · ${fn}`}
      channel={`logs:functions:${WORKSPACE}:${fn}`}
      theme="dark"
      className={tall ? 'panel tall' : 'panel'}
    />
  );
}
