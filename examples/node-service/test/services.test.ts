import type { Gateway } from '@logs-sse/gateway';
import { createLogsPublisher, type LogsPublisher } from '@logs-sse/publisher';
import { startGateway } from '@logs-sse/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runEtl, runFunctions, runWorkflow, WORKFLOW_PHASES } from '../src/index';

interface Stored {
  type: 'log' | 'status' | 'done';
  level?: string;
  message?: string;
  phase?: string;
  progress?: number;
}

let gateway: Gateway;
let url: string;
let publisher: LogsPublisher | undefined;
let workspaceCounter = 0;

beforeAll(async () => {
  ({ gateway, url } = await startGateway({ historyPerChannel: 5000 }));
});

afterEach(async () => {
  await publisher?.close();
  publisher = undefined;
});

afterAll(async () => {
  await gateway.close();
});

/** A workspace of its own per test, so that no test reads another's entries. */
function workspace(): string {
  workspaceCounter++;
  return `ws-${workspaceCounter}`;
}

function newPublisher(service: string): LogsPublisher {
  publisher = createLogsPublisher({ url, service, flushIntervalMs: 5, heartbeatIntervalMs: 0 });
  return publisher;
}

async function history(channel: string): Promise<Stored[]> {
  const response = await fetch(`${url}/api/logs/history?channel=${channel}&tail=5000`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { logs: Stored[] }).logs;
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('workflow engine', () => {
  it('goes through every phase to active with rising progress, then reports done', async () => {
    const ws = workspace();
    const pub = newPublisher('workflow');
    await runWorkflow(pub, { workspace: ws, runs: 1, paceMs: 0, failureRate: 0, random: seededRandom(7) });
    expect(await pub.flush({ timeoutMs: 10_000 })).toBe(true);

    const entries = await history(`logs:workflow:${ws}:wf-llm-serving`);
    const statuses = entries.filter((entry) => entry.type === 'status');
    const phases = statuses.map((entry) => entry.phase).filter((phase, i, all) => phase !== all[i - 1]);
    expect(phases).toEqual(WORKFLOW_PHASES.map(([phase]) => phase));
    const progress = statuses.map((entry) => entry.progress ?? 0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(statuses.at(-1)).toMatchObject({ phase: 'active', progress: 100 });
    expect(entries.at(-1)?.type).toBe('done');
    expect(entries.filter((entry) => entry.level === 'error')).toEqual([]);
  });

  it('ends a failing run in the failed phase, with an error line and done', async () => {
    const ws = workspace();
    const pub = newPublisher('workflow');
    await runWorkflow(pub, { workspace: ws, runs: 3, paceMs: 0, failureRate: 1 });
    expect(await pub.flush({ timeoutMs: 10_000 })).toBe(true);

    const entries = await history(`logs:workflow:${ws}:wf-llm-serving`);
    expect(entries.filter((entry) => entry.type === 'done')).toHaveLength(3);
    expect(entries.filter((entry) => entry.phase === 'failed')).toHaveLength(3);
    expect(entries.filter((entry) => entry.phase === 'active')).toEqual([]);
    expect(entries.filter((entry) => entry.level === 'error')).toHaveLength(3);
  });
});

describe('ETL pipeline', () => {
  it('reports progress from 0 to 100 through its steps in every run', async () => {
    const ws = workspace();
    const pub = newPublisher('etl');
    await runEtl(pub, { workspace: ws, runs: 2, paceMs: 0, random: seededRandom(3) });
    expect(await pub.flush({ timeoutMs: 10_000 })).toBe(true);

    const entries = await history(`logs:etl:${ws}:nightly-import`);
    const runs: Stored[][] = [[]];
    for (const entry of entries) {
      runs.at(-1)!.push(entry);
      if (entry.type === 'done') runs.push([]);
    }
    expect(runs.at(-1)).toEqual([]);
    expect(runs).toHaveLength(3);
    for (const run of runs.slice(0, 2)) {
      const statuses = run.filter((entry) => entry.type === 'status');
      const progress = statuses.map((entry) => entry.progress ?? 0);
      expect(progress[0]).toBe(0);
      expect(progress.at(-1)).toBe(100);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      const steps = statuses.map((entry) => entry.phase).filter((phase, i, all) => phase !== all[i - 1]);
      expect(steps).toEqual(['extract', 'transform', 'validate', 'load']);
      expect(
        run.some((entry) => entry.type === 'log' && /finished: \d+ rows loaded/.test(entry.message ?? '')),
      ).toBe(true);
    }
  });

  it('stops at the next step when its signal aborts', async () => {
    const ws = workspace();
    const pub = newPublisher('etl');
    const stop = new AbortController();
    const running = runEtl(pub, {
      workspace: ws,
      runs: Number.POSITIVE_INFINITY,
      paceMs: 60_000,
      signal: stop.signal,
    });
    stop.abort();
    await running;
    expect(await pub.flush({ timeoutMs: 10_000 })).toBe(true);
    const entries = await history(`logs:etl:${ws}:nightly-import`);
    expect(entries.map((entry) => entry.phase ?? entry.message)).toEqual([
      'run 1 started',
      'extract',
      'connecting to orders.csv',
    ]);
  });
});

describe('function runner (pino transport)', () => {
  it('publishes every pino line, failures with their stack trace', async () => {
    const ws = workspace();
    await runFunctions({ url, workspace: ws, runs: 4, paceMs: 0, errorRate: 1, random: seededRandom(11) });

    const entries = await history(`logs:functions:${ws}:thumbnailer`);
    const errors = entries.filter((entry) => entry.level === 'error');
    expect(errors).toHaveLength(4);
    for (const error of errors) {
      expect(error.message).toMatch(/^invocation \d failed: Error: cannot decode image \d+/);
      expect(error.message).toContain('\n    at readScanLines');
    }
    const started = entries.filter((entry) =>
      /^invocation \d: resizing (\d+) images$/.test(entry.message ?? ''),
    );
    expect(started).toHaveLength(4);
    const images = started.reduce((sum, entry) => sum + Number(/(\d+) images/.exec(entry.message!)![1]), 0);
    expect(entries.filter((entry) => entry.level === 'debug')).toHaveLength(images);
  });
});
