import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStream, type Started, startGateway } from './helpers';

// Requests built with the official Python classes of opentelemetry-proto (what every Python exporter
// serialises with), sent to a real gateway.

const run = promisify(execFile);
const script = join(dirname(fileURLToPath(import.meta.url)), 'python/export_logs.py');
let venv: string;
let g: Started;

beforeAll(async () => {
  venv = await mkdtemp(join(tmpdir(), 'otlp-python-'));
  try {
    await run('python3', ['-m', 'venv', venv], { timeout: 60_000 });
    // No retries: an index that cannot be reached is skipped at once, the package mirror answers.
    await run(join(venv, 'bin/pip'), ['install', '--retries', '0', '-q', 'opentelemetry-proto'], {
      timeout: 120_000,
    });
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(
      `could not install opentelemetry-proto into a Python venv; this test needs python3 with venv and pip, and a package index: ${stderr || message}`,
    );
  }
  g = await startGateway();
}, 180_000);

afterAll(async () => {
  await g?.gateway.close();
  if (venv) await rm(venv, { recursive: true, force: true });
});

it('takes ExportLogsServiceRequest bytes from the official Python classes and answers them in kind', {
  timeout: 60_000,
}, async () => {
  const stream = await openStream(g.url, 'channels=logs:py-worker:*:*');
  const { stdout } = await run(join(venv, 'bin/python'), [script, g.url], { timeout: 30_000 });
  const [whole, cut] = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(whole).toEqual({
    status: 200,
    content_type: 'application/x-protobuf',
    response: {
      partialSuccess: {
        rejectedLogRecords: '1',
        errorMessage:
          '1 of 3 log records were rejected: record 2: logs_sse.resource_id "not a segment" is not a channel segment ([A-Za-z0-9_.-], 1 to 128 characters)',
      },
    },
  });
  expect(cut.status).toBe(400);
  await stream.untilEvents('log', 2);
  const [failed, rows] = stream.data('log');
  expect(failed).toEqual({
    id: expect.any(String),
    type: 'log',
    channel: 'logs:py-worker:lab:job-9',
    timestamp: '2026-09-21T14:13:20.123Z',
    level: 'error',
    message: 'job failed',
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: 'b7ad6b7169203331',
    trace_flags: 1,
    scope: 'worker.jobs',
    'host.name': 'box-1',
    attempt: 3,
  });
  // Without time_unix_nano the observed time stands in.
  expect(rows).toMatchObject({
    channel: 'logs:py-worker:lab:job-9',
    timestamp: '2026-09-21T14:13:20.123Z',
    level: 'trace',
    message: '{"rows":120}',
  });
  stream.close();
});
