import { useLogsSSE } from '@logs-sse/react';
import { RESOURCES, WORKSPACE } from '../config';
import { LogPanel } from '../ui/LogPanel';
import { progressOf } from '../ui/ProgressBar';
import { usePanelControls } from '../ui/usePanelControls';

/** The functions team's micro frontend: bursts of output from one function, stack traces included. */
export function FunctionsPanel({ tall = false }: { tall?: boolean }) {
  const controls = usePanelControls();
  const fn = RESOURCES.functions;
  const { logs, connectionStatus, status, done, clear } = useLogsSSE({
    service: 'functions',
    workspace_id: WORKSPACE,
    resource_id: fn,
    maxLogs: 10_000,
    filter: controls.filter,
    persistence: true,
  });
  const errors = logs.reduce((count, entry) => (entry.level === 'error' ? count + 1 : count), 0);
  return (
    <LogPanel
      title={`Function · ${fn}`}
      channel={`logs:functions:${WORKSPACE}:${fn}`}
      logs={logs}
      connectionStatus={connectionStatus}
      progress={{
        ...progressOf(status, done),
        phase: status?.phase ?? (errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : undefined),
      }}
      controls={controls}
      onClear={clear}
      tall={tall}
    />
  );
}
