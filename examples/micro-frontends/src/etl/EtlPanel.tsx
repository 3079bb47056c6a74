import { useLogsSSE } from '@logs-sse/react';
import { RESOURCES, WORKSPACE } from '../config';
import { LogPanel } from '../ui/LogPanel';
import { progressOf } from '../ui/ProgressBar';
import { usePanelControls } from '../ui/usePanelControls';

/** The ETL team's micro frontend: the runs of one pipeline, step by step. */
export function EtlPanel({ tall = false }: { tall?: boolean }) {
  const controls = usePanelControls();
  const pipeline = RESOURCES.etl;
  const { logs, connectionStatus, status, done, clear } = useLogsSSE({
    service: 'etl',
    workspace_id: WORKSPACE,
    resource_id: pipeline,
    maxLogs: 10_000,
    filter: controls.filter,
    persistence: true,
  });
  return (
    <LogPanel
      title={`ETL · ${pipeline}`}
      channel={`logs:etl:${WORKSPACE}:${pipeline}`}
      logs={logs}
      connectionStatus={connectionStatus}
      progress={progressOf(status, done)}
      controls={controls}
      onClear={clear}
      tall={tall}
    />
  );
}
