import type { LogsPublisher } from '@logs-sse/publisher';
import { between, pause, type ServiceRunOptions } from './pace';

export interface WorkflowOptions extends ServiceRunOptions {
  /** Resource id of the workflow: its channel is `logs:workflow:{workspace}:{workflow}`. Defaults to `wf-llm-serving`. */
  workflow?: string;
  /** Share of runs that fail at a random phase, from 0 to 1. Defaults to `0.2`. */
  failureRate?: number;
}

/** The phases of a deployment, in order, and the progress reached when each ends. */
export const WORKFLOW_PHASES = [
  ['queued', 5],
  ['provisioning', 25],
  ['instance_ready', 35],
  ['installing', 60],
  ['model_loading', 85],
  ['health_check', 95],
  ['active', 100],
] as const;

const DETAILS: Record<string, string[]> = {
  queued: ['waiting for a free GPU slot', 'slot granted'],
  provisioning: [
    'requesting instance g5.xlarge in eu-west-1',
    'attaching volume vol-7f3a',
    'instance booted',
  ],
  instance_ready: ['ssh reachable', 'nvidia-smi: 1 x A10G, 24 GiB'],
  installing: ['pip install -r requirements.txt', 'installed 84 packages', 'building CUDA kernels'],
  model_loading: [
    'downloading weights shard 1/4',
    'shard 2/4',
    'shard 3/4',
    'shard 4/4',
    'weights in GPU memory',
  ],
  health_check: ['GET /health -> 200', 'warm-up request answered in 412 ms'],
  active: ['serving on :8000'],
};

/**
 * A workflow engine deploying a model server: phases queued -> provisioning -> instance_ready ->
 * installing -> model_loading -> health_check -> active (or failed), with progress and a `done`.
 */
export async function runWorkflow(publisher: LogsPublisher, options: WorkflowOptions): Promise<void> {
  const { workspace, runs, paceMs, signal, random = Math.random } = options;
  const workflow = options.workflow ?? 'wf-llm-serving';
  const failureRate = options.failureRate ?? 0.2;
  const log = publisher.child({ workspace_id: workspace, resource_id: workflow });

  for (let run = 1; run <= runs; run++) {
    const failAt = random() < failureRate ? between(random, 1, WORKFLOW_PHASES.length - 2) : -1;
    let previous = 0;
    for (const [index, [phase, reached]] of WORKFLOW_PHASES.entries()) {
      if (index === failAt) {
        log.publish({
          level: 'error',
          message: `${phase} failed: instance did not answer in 300 s`,
          run,
          phase,
        });
        publisher.status(workflow, {
          workspace_id: workspace,
          phase: 'failed',
          progress: previous,
          message: phase,
        });
        break;
      }
      publisher.status(workflow, {
        workspace_id: workspace,
        phase,
        progress: previous,
        message: `run ${run}`,
      });
      log.publish({ level: 'info', message: `phase ${phase}`, run, phase });
      const details = DETAILS[phase] ?? [];
      for (const [step, detail] of details.entries()) {
        if (!(await pause(paceMs, signal))) return;
        const level = phase === 'installing' && step === 2 && random() < 0.5 ? 'warn' : 'debug';
        log.publish({ level, message: detail, run, phase });
        const value = previous + ((reached - previous) * (step + 1)) / details.length;
        publisher.status(workflow, { workspace_id: workspace, phase, progress: Math.round(value) });
      }
      previous = reached;
    }
    publisher.done(workflow, { workspace_id: workspace, run });
    if (!(await pause(paceMs * 6, signal))) return;
  }
}
