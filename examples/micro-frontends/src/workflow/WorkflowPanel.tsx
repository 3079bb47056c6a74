import { LogView } from '@logs-sse/log-view';
import { useLogsSSE } from '@logs-sse/react';
import type { ReactNode } from 'react';
import { RESOURCES, WORKSPACE } from '../config';
import { runDone } from '../ui/runDone';

/** The platform team's micro frontend: one deployment workflow, phase by phase. */
export function WorkflowPanel({ tall = false, children }: { tall?: boolean; children?: ReactNode }) {
  const workflow = RESOURCES.workflow;
  const logs = useLogsSSE({
    service: 'workflow',
    workspace_id: WORKSPACE,
    workflow_id: workflow,
    maxLogs: 10_000,
    persistence: true,
  });
  return (
    <LogView
      {...logs}
      done={runDone(logs.status, logs.done)}
      title={`Workflow · ${workflow}`}
      channel={`logs:workflow:${WORKSPACE}:${workflow}`}
      theme="dark"
      className={tall ? 'panel tall' : 'panel'}
    >
      {children}
    </LogView>
  );
}
