import { LogView } from '@logs-sse/log-view';
import { useLogsSSE } from '@logs-sse/react';
import { RESOURCES, WORKSPACE } from '../config';
import { runDone } from '../ui/runDone';

/** The ETL team's micro frontend: the runs of one pipeline, step by step. */
export function EtlPanel({ tall = false }: { tall?: boolean }) {
  const pipeline = RESOURCES.etl;
  const logs = useLogsSSE({
    service: 'etl',
    workspace_id: WORKSPACE,
    resource_id: pipeline,
    maxLogs: 10_000,
    persistence: true,
  });
  return (
    <LogView
      {...logs}
      done={runDone(logs.status, logs.done)}
      title={`ETL · ${pipeline}`}
      channel={`logs:etl:${WORKSPACE}:${pipeline}`}
      theme="dark"
      className={tall ? 'panel tall' : 'panel'}
    />
  );
}
