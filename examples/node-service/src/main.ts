// Runs one sample service until Ctrl-C / SIGTERM, or for `--runs N` runs:
//   tsx --conditions=@logs-sse/source src/main.ts etl --url http://127.0.0.1:3002 --runs 3
import { parseArgs } from 'node:util';
import { createLogsPublisher } from '@logs-sse/publisher';
import { runCheckout } from './checkout';
import { runEtl } from './etl';
import { runFunctions } from './functions';
import type { ServiceRunOptions } from './pace';
import { runWorkflow } from './workflow';

const USAGE = `Usage: main.ts <etl|workflow|functions|checkout> [--url URL] [--workspace ID] [--runs N] [--pace MS]

  --url        gateway base URL            [env LOGS_GATEWAY_URL, default http://127.0.0.1:3002]
  --workspace  workspace of the channels   [default demo]
  --runs       runs before exiting         [default: forever]
  --pace       base delay between steps    [default 400]
`;

const SERVICES = ['etl', 'workflow', 'functions', 'checkout'] as const;
type ServiceName = (typeof SERVICES)[number];

function usage(problem: string): never {
  process.stderr.write(`${problem}\n\n${USAGE}`);
  process.exit(2);
}

function readArgs() {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    usage((error as Error).message);
  }
  const [service] = parsed.positionals;
  if (!SERVICES.includes(service as ServiceName)) usage(`unknown service "${service ?? ''}"`);
  const { url, workspace, runs, pace } = parsed.values;
  const runCount = runs === undefined ? Number.POSITIVE_INFINITY : Number(runs);
  const paceMs = Number(pace);
  if (!(Number.isInteger(runCount) || runCount === Number.POSITIVE_INFINITY) || runCount < 1) {
    usage('--runs must be a whole number of at least 1');
  }
  if (!(paceMs >= 0)) usage('--pace must be a number of milliseconds');
  return { service: service as ServiceName, url, workspace, runs: runCount, paceMs };
}

function parse() {
  return parseArgs({
    // `pnpm <script> -- --runs 2` passes the `--` along: it separates nothing here.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    allowPositionals: true,
    options: {
      url: { type: 'string', default: process.env.LOGS_GATEWAY_URL ?? 'http://127.0.0.1:3002' },
      workspace: { type: 'string', default: 'demo' },
      runs: { type: 'string' },
      pace: { type: 'string', default: '400' },
    },
  });
}

async function main(): Promise<void> {
  const { service, url, ...rest } = readArgs();
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  const options: ServiceRunOptions = { ...rest, signal: stop.signal };
  console.log(`${service}: publishing to ${url} (workspace ${options.workspace})`);

  if (service === 'checkout') {
    // Publishes through the OpenTelemetry SDK's OTLP exporter to /v1/logs, not through our publisher.
    await runCheckout({ ...options, url });
  } else if (service === 'functions') {
    // The function runner logs through pino; the logs-sse transport owns its publisher.
    await runFunctions({ ...options, url });
  } else {
    let lastProblem = '';
    const publisher = createLogsPublisher({
      url,
      service,
      // On exit, try to send what is queued for two seconds at most (the gateway may be gone already).
      closeTimeoutMs: 2000,
      // Retries repeat the same fault while the gateway is down: say it once.
      onError: (error) => {
        const problem = `${service}: ${error.code}: ${error.message}`;
        if (problem !== lastProblem) console.warn(problem);
        lastProblem = problem;
      },
    });
    try {
      await (service === 'etl' ? runEtl(publisher, options) : runWorkflow(publisher, options));
    } finally {
      await publisher.close();
    }
  }
  console.log(`${service}: stopped`);
}

void main();
