import { useLogsSSE } from '@logs-sse/react';
import type { ReactNode } from 'react';
import { RESOURCES, WORKSPACE } from '../config';
import { LogPanel } from '../ui/LogPanel';
import { progressOf } from '../ui/ProgressBar';
import { usePanelControls } from '../ui/usePanelControls';

/** The platform team's micro frontend: one deployment workflow, phase by phase. */
export function WorkflowPanel({ tall = false, children }: { tall?: boolean; children?: ReactNode }) {
  const controls = usePanelControls();
  const workflow = RESOURCES.workflow;
  const { logs, connectionStatus, status, done, clear } = useLogsSSE({
    service: 'workflow',
    workspace_id: WORKSPACE,
    workflow_id: workflow,
    maxLogs: 10_000,
    filter: controls.filter,
    persistence: true,
  });
  return (
    <LogPanel
      title={`Workflow · ${workflow}`}
      channel={`logs:workflow:${WORKSPACE}:${workflow}`}
      logs={logs}
      connectionStatus={connectionStatus}
      progress={progressOf(status, done)}
      controls={controls}
      onClear={clear}
      tall={tall}
    >
      {children}
    </LogPanel>
  );
}
