import { context, TraceFlags, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordExporter,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { openStream, type Started, startGateway } from './helpers';

// The OpenTelemetry JS SDK and its two OTLP/HTTP exporters, unchanged, against a real gateway: what a
// Node service instrumented with OpenTelemetry does when pointed at it.

let g: Started | undefined;
let provider: LoggerProvider | undefined;
const savedEnv = { ...process.env };
afterEach(async () => {
  await provider?.shutdown();
  provider = undefined;
  await g?.gateway.close();
  g = undefined;
  for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const PUBLISHER = 'publisher-checkout-0123456789';
const READER = 'reader-checkout-0123456789';

type Exporter = LogRecordExporter & { export: LogRecordExporter['export'] };
const EXPORTERS: [string, (config?: ConstructorParameters<typeof ProtoExporter>[0]) => Exporter][] = [
  ['exporter-logs-otlp-proto', (config) => new ProtoExporter(config)],
  ['exporter-logs-otlp-http (JSON)', (config) => new JsonExporter(config)],
];

function providerFor(exporter: Exporter, attributes: Record<string, string>) {
  provider = new LoggerProvider({
    resource: resourceFromAttributes(attributes),
    processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 10 })],
  });
  return provider;
}

/** Exports records straight through the exporter, to see the result it reports to the SDK. */
function exportResult(exporter: Exporter, records: ReadableLogRecord[]) {
  return new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(records, resolve));
}

describe.each(EXPORTERS)('%s', (_name, makeExporter) => {
  it('delivers every record to its channel with level, message, time, trace ids and attributes', async () => {
    g = await startGateway();
    const stream = await openStream(g.url, 'channels=logs:checkout:*:*');
    const exporter = makeExporter({ url: `${g.url}/v1/logs` });
    const logger = providerFor(exporter, {
      'service.name': 'checkout',
      'service.version': '1.4.2',
      'logs_sse.workspace_id': 'acme',
    }).getLogger('checkout.payments', '0.1.0');
    const spanContext = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED };
    const inSpan = trace.setSpanContext(context.active(), spanContext);
    const time = new Date('2026-11-24T12:00:00.123Z');
    logger.emit({
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: 'card declined',
      timestamp: time,
      attributes: { 'logs_sse.resource_id': 'order-17', 'payment.amount': 1250, retry: true },
      context: inSpan,
    });
    logger.emit({
      severityNumber: SeverityNumber.DEBUG2,
      body: { step: 'authorize', ms: 12 },
      timestamp: time,
    });
    logger.emit({ severityNumber: SeverityNumber.FATAL, body: 'out of memory', timestamp: time });
    logger.emit({ severityText: 'error', body: 'no number, a text', timestamp: time });
    await provider!.forceFlush();
    await stream.untilEvents('log', 4);
    const [declined, step, oom, text] = stream.data('log');
    expect(declined).toEqual({
      id: expect.stringMatching(/^\d+-\d+$/),
      type: 'log',
      channel: 'logs:checkout:acme:order-17',
      timestamp: '2026-11-24T12:00:00.123Z',
      level: 'warn',
      message: 'card declined',
      trace_id: TRACE_ID,
      span_id: SPAN_ID,
      trace_flags: 1,
      scope: 'checkout.payments',
      'service.version': '1.4.2',
      'payment.amount': 1250,
      retry: true,
    });
    // A record without the resource attribute goes to the default resource of its workspace.
    expect(step).toMatchObject({
      channel: 'logs:checkout:acme:default',
      level: 'debug',
      message: '{"step":"authorize","ms":12}',
    });
    expect(step.trace_id).toBeUndefined();
    expect(oom).toMatchObject({ level: 'fatal', message: 'out of memory' });
    expect(text).toMatchObject({ level: 'error', message: 'no number, a text' });
    stream.close();
  });

  it('is configured by the standard OTEL_* variables: endpoint, headers, gzip, service name', async () => {
    g = await startGateway({
      auth: {
        publishers: [{ token: PUBLISHER, services: ['checkout'] }],
        subscribers: [{ token: READER, channels: ['logs:checkout:*:*'] }],
      },
    });
    const stream = await openStream(g.url, `channels=logs:checkout:*:*&access_token=${READER}`);
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: g.url,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${PUBLISHER}`,
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_SERVICE_NAME: 'checkout',
      OTEL_RESOURCE_ATTRIBUTES: 'logs_sse.workspace_id=prod,logs_sse.resource_id=api',
    });
    const exporter = makeExporter();
    provider = new LoggerProvider({
      resource: detectResources({ detectors: [envDetector] }),
      processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 10 })],
    });
    provider.getLogger('env').emit({ severityNumber: SeverityNumber.INFO, body: 'configured by env' });
    await provider.forceFlush();
    await stream.untilEvents('log', 1);
    expect(stream.data('log')[0]).toMatchObject({
      channel: 'logs:checkout:prod:api',
      level: 'info',
      message: 'configured by env',
      scope: 'env',
    });
    stream.close();
  });

  it('reports a refused token to the SDK as a failed export, and stores nothing', async () => {
    g = await startGateway({ auth: { publishers: [{ token: PUBLISHER, services: ['checkout'] }] } });
    const records = await recordsOf({ 'service.name': 'checkout' }, 'secret');
    const wrong = makeExporter({ url: `${g.url}/v1/logs`, headers: { authorization: 'Bearer not-a-token' } });
    const refused = await exportResult(wrong, records);
    expect(refused.code).toBe(1);
    expect(refused.error).toMatchObject({ code: 401 });
    const otherService = await recordsOf({ 'service.name': 'billing' }, 'not mine');
    const right = makeExporter({
      url: `${g.url}/v1/logs`,
      headers: { authorization: `Bearer ${PUBLISHER}` },
    });
    const forbidden = await exportResult(right, otherService);
    expect(forbidden).toMatchObject({ code: 1, error: { code: 403 } });
    expect(g.gateway.stats().logs.in).toBe(0);
    expect((await exportResult(right, records)).code).toBe(0);
    expect(g.gateway.stats().logs.in).toBe(1);
  });
});

/** Records as the SDK hands them to an exporter, taken with the SDK's own in-memory exporter. */
async function recordsOf(attributes: Record<string, string>, body: string): Promise<ReadableLogRecord[]> {
  const { InMemoryLogRecordExporter, SimpleLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
  const memory = new InMemoryLogRecordExporter();
  const p = new LoggerProvider({
    resource: resourceFromAttributes(attributes),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  p.getLogger('test').emit({ severityNumber: SeverityNumber.INFO, body });
  await p.forceFlush();
  const records = memory.getFinishedLogRecords();
  await p.shutdown();
  return [...records];
}
