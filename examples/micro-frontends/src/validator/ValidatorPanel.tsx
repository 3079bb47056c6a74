import { LogView } from '@logs-sse/log-view';
import { useLogsSSE } from '@logs-sse/react';
import { RESOURCES, WORKSPACE } from '../config';
import { runDone } from '../ui/runDone';

/** The data team's micro frontend: a validator written in Python, through the Python publisher. */
export function ValidatorPanel({ tall = false }: { tall?: boolean }) {
  const job = RESOURCES.validator;
  const logs = useLogsSSE({
    service: 'validator',
    workspace_id: WORKSPACE,
    resource_id: job,
    maxLogs: 10_000,
    persistence: true,
  });
  return (
    <LogView
      {...logs}
      done={runDone(logs.status, logs.done)}
      title={`Validator (Python) · ${job}`}
      channel={`logs:validator:${WORKSPACE}:${job}`}
      theme="dark"
      className={tall ? 'panel tall' : 'panel'}
    />
  );
}
