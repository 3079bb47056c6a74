// Gateway CPU per record for OTLP/HTTP logs (protobuf and JSON, as the OpenTelemetry JS exporters
// serialise them) next to our own NDJSON publish of the same records. The gateway runs as the built
// command in a child process; its CPU time is read from /proc around each run of requests.
//
// Needs the packages built (pnpm build). Usage: node bench/otlp.mjs [requestsPerRun] [rounds]
// Goal: OTLP within 2x NDJSON per record. The last line printed is JSON.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cpuMs } from './fanout/proc.mjs';

const REQUESTS = Number(process.argv[2] ?? 200);
const ROUNDS = Number(process.argv[3] ?? 3);
const RECORDS = 500; // per request: the batch size of the OpenTelemetry SDKs' batch processors
const CONCURRENCY = 4;
const TIME_LIMIT_MS = 150_000;

const root = new URL('../', import.meta.url);
const cli = fileURLToPath(new URL('packages/gateway/dist/cli.js', root));
if (!existsSync(cli)) {
  console.error(`missing ${cli}: run pnpm build first`);
  process.exit(1);
}
const fromGateway = createRequire(new URL('packages/gateway/package.json', root));
const fromExporter = createRequire(fromGateway.resolve('@opentelemetry/exporter-logs-otlp-proto'));
const { ProtobufLogsSerializer, JsonLogsSerializer } = fromExporter('@opentelemetry/otlp-transformer');
const sdk = fromGateway('@opentelemetry/sdk-logs');
const { resourceFromAttributes } = fromGateway('@opentelemetry/resources');
const api = fromGateway('@opentelemetry/api');

const deadline = Date.now() + TIME_LIMIT_MS;
const say = (text) => process.stderr.write(`${text}\n`);

// ---- one batch, three encodings -------------------------------------------------------------------------

const time = Date.parse('2026-11-24T12:00:00.000Z');
const traceId = '5b8efff798038103d269b633813fc60c';
const spanId = 'eee19b7ec3c1b174';
const line = (i) => ({
  resource: `r${i % 20}`,
  message: `GET /api/orders/${10_000 + i} answered 200 in ${i % 97} ms for customer c-${i % 311}`,
  attributes: { 'http.method': 'GET', 'http.status_code': 200, 'user.id': `u-${i % 1000}` },
});

async function otlpBodies() {
  const memory = new sdk.InMemoryLogRecordExporter();
  const provider = new sdk.LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench', 'service.version': '1.0.0' }),
    processors: [new sdk.SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('bench.http');
  const inSpan = api.trace.setSpanContext(api.context.active(), { traceId, spanId, traceFlags: 1 });
  for (let i = 0; i < RECORDS; i++) {
    const { resource, message, attributes } = line(i);
    logger.emit({
      severityNumber: 9,
      severityText: 'INFO',
      body: message,
      timestamp: time + i,
      attributes: { ...attributes, 'logs_sse.resource_id': resource },
      context: inSpan,
    });
  }
  await provider.forceFlush();
  const records = memory.getFinishedLogRecords();
  await provider.shutdown();
  return {
    protobuf: Buffer.from(ProtobufLogsSerializer.serializeRequest(records)),
    json: Buffer.from(JsonLogsSerializer.serializeRequest(records)),
  };
}

function ndjsonBody() {
  const lines = [];
  for (let i = 0; i < RECORDS; i++) {
    const { resource, message, attributes } = line(i);
    lines.push(
      JSON.stringify({
        service: 'bench',
        workspace_id: 'default',
        resource_id: resource,
        level: 'info',
        message,
        timestamp: time + i,
        trace_id: traceId,
        span_id: spanId,
        trace_flags: 1,
        scope: 'bench.http',
        'service.version': '1.0.0',
        ...attributes,
      }),
    );
  }
  return Buffer.from(lines.join('\n'));
}

// ---- the gateway --------------------------------------------------------------------------------------

function startGateway() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOGS_SSE_LOG_LEVEL: 'warn', LOGS_SSE_OPEN: 'true' },
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      const url = /^(http:\/\/\S+)$/m.exec(text)?.[1];
      if (url) resolve({ child, url });
    });
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
}

const KINDS = {
  ndjson: { path: '/api/logs/publish', type: 'application/x-ndjson' },
  protobuf: { path: '/v1/logs', type: 'application/x-protobuf' },
  json: { path: '/v1/logs', type: 'application/json' },
};

async function send(url, kind, body, count) {
  const { path, type } = KINDS[kind];
  let next = 0;
  const worker = async () => {
    while (next < count && Date.now() < deadline) {
      next++;
      const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': type }, body });
      const ok = kind === 'ndjson' ? res.status === 202 : res.status === 200;
      const text = await res.text();
      if (!ok || (kind === 'json' && text !== '{}')) throw new Error(`${kind}: ${res.status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return next;
}

// ---- main ---------------------------------------------------------------------------------------------

const bodies = { ndjson: ndjsonBody(), ...(await otlpBodies()) };
const { child, url } = await startGateway();
const perRecord = { ndjson: [], protobuf: [], json: [] };
try {
  for (const kind of Object.keys(KINDS)) await send(url, kind, bodies[kind], 20); // warm-up, and loads the decoder
  const kinds = Object.keys(KINDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[(k + round) % kinds.length];
      const before = cpuMs(child.pid);
      const sent = await send(url, kind, bodies[kind], REQUESTS);
      const usedMs = cpuMs(child.pid) - before;
      perRecord[kind].push((usedMs * 1000) / (sent * RECORDS));
      say(
        `round ${round + 1}/${ROUNDS} ${kind}: ${sent} requests, ${perRecord[kind].at(-1).toFixed(2)} µs CPU/record`,
      );
    }
  }
} finally {
  child.kill('SIGTERM');
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const result = {
  records_per_request: RECORDS,
  body_bytes: Object.fromEntries(Object.entries(bodies).map(([k, b]) => [k, b.length])),
  cpu_us_per_record: Object.fromEntries(
    Object.entries(perRecord).map(([k, v]) => [k, Number(median(v).toFixed(2))]),
  ),
};
result.ratio_protobuf = Number(
  (result.cpu_us_per_record.protobuf / result.cpu_us_per_record.ndjson).toFixed(2),
);
result.ratio_json = Number((result.cpu_us_per_record.json / result.cpu_us_per_record.ndjson).toFixed(2));
console.log(JSON.stringify(result));
