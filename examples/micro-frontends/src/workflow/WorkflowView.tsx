import { useLogsStatus } from '@logs-sse/react';
import { RESOURCES, WORKSPACE } from '../config';
import { WorkflowPanel } from './WorkflowPanel';

const PHASES = [
  'queued',
  'provisioning',
  'instance_ready',
  'installing',
  'model_loading',
  'health_check',
  'active',
];

/** The workflow's own page: where the deployment stands, phase by phase, above its logs. */
export function WorkflowView() {
  const { phase, message } = useLogsStatus({
    service: 'workflow',
    workspace_id: WORKSPACE,
    workflow_id: RESOURCES.workflow,
  });
  const failed = phase === 'failed';
  // A failed run names the phase it failed in as its status message.
  const at = phase === undefined ? -1 : PHASES.indexOf(failed ? (message ?? '') : phase);
  return (
    <WorkflowPanel tall>
      <ol className="phases" aria-label="phases">
        {PHASES.map((name, index) => (
          <li key={name} data-state={phaseState(index, at, phase)}>
            {name}
          </li>
        ))}
        {failed && at === -1 && <li data-state="failed">failed</li>}
      </ol>
    </WorkflowPanel>
  );
}

function phaseState(index: number, at: number, phase: string | undefined): string {
  if (index < at) return 'past';
  if (index > at) return 'future';
  if (phase === 'failed') return 'failed';
  // `active` is the last phase: reaching it completes it.
  return phase === 'active' ? 'past' : 'current';
}
