import { useLogsSSE } from '@logs-sse/react';
import { RESOURCES, WORKSPACE } from '../config';
import { LogPanel } from '../ui/LogPanel';
import { progressOf } from '../ui/ProgressBar';
import { usePanelControls } from '../ui/usePanelControls';

/** The data team's micro frontend: a validator written in Python, through the Python publisher. */
export function ValidatorPanel({ tall = false }: { tall?: boolean }) {
  const controls = usePanelControls();
  const job = RESOURCES.validator;
  const { logs, connectionStatus, status, done, clear } = useLogsSSE({
    service: 'validator',
    workspace_id: WORKSPACE,
    resource_id: job,
    maxLogs: 10_000,
    filter: controls.filter,
    persistence: true,
  });
  return (
    <LogPanel
      title={`Validator (Python) · ${job}`}
      channel={`logs:validator:${WORKSPACE}:${job}`}
      logs={logs}
      connectionStatus={connectionStatus}
      progress={progressOf(status, done)}
      controls={controls}
      onClear={clear}
      tall={tall}
    />
  );
}
