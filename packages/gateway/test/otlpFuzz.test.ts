import { gzipSync } from 'node:zlib';
import { create, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StatusSchema } from '../src/otlp/proto/google/rpc/status_pb';
import {
  ExportLogsServiceRequestSchema,
  ExportLogsServiceResponseSchema,
} from '../src/otlp/proto/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import { call, openStream, type Started, startGateway } from './helpers';

let g: Started;
beforeAll(async () => {
  g = await startGateway({ maxBodyBytes: 16 * 1024, maxEntriesPerPublish: 50, maxOtlpAttributes: 8 });
});
afterAll(() => g.gateway.close());

const text = fc.oneof(
  fc.constantFrom('api', 'ws-1', 'unknown_service:node', ''),
  fc.string({ maxLength: 12 }),
);
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text.map((v) => ({ value: { case: 'stringValue', value: v } })),
    fc.boolean().map((v) => ({ value: { case: 'boolValue', value: v } })),
    fc
      .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
      .map((v) => ({ value: { case: 'intValue', value: v } })),
    fc.double().map((v) => ({ value: { case: 'doubleValue', value: v } })),
    fc.uint8Array({ maxLength: 8 }).map((v) => ({ value: { case: 'bytesValue', value: v } })),
    fc
      .array(tie('value'), { maxLength: 3 })
      .map((values) => ({ value: { case: 'arrayValue', value: { values } } })),
    fc
      .array(fc.record({ key: text, value: tie('value') }), { maxLength: 3 })
      .map((values) => ({ value: { case: 'kvlistValue', value: { values } } })),
  ),
})).value;
const keyValues = fc.array(
  fc.record({
    key: fc.oneof(fc.constantFrom('service.name', 'logs_sse.workspace_id', 'level', '__proto__'), text),
    value: anyValue,
  }),
  { maxLength: 10 },
);
const record = fc.record(
  {
    timeUnixNano: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    observedTimeUnixNano: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    severityNumber: fc.integer({ min: -5, max: 40 }),
    severityText: text,
    body: anyValue,
    attributes: keyValues,
    flags: fc.nat(),
    traceId: fc.uint8Array({ maxLength: 20 }),
    spanId: fc.uint8Array({ maxLength: 10 }),
    eventName: text,
  },
  { requiredKeys: [] },
);
const requestInit = fc.record({
  resourceLogs: fc.array(
    fc.record({
      resource: fc.record({ attributes: keyValues }),
      scopeLogs: fc.array(fc.record({ logRecords: fc.array(record, { maxLength: 8 }) }), { maxLength: 3 }),
    }),
    { maxLength: 3 },
  ),
});
// fast-check builds the init shape loosely: `create` is what checks it.
const encoded = requestInit.map((init) =>
  toBinary(
    ExportLogsServiceRequestSchema,
    create(
      ExportLogsServiceRequestSchema,
      init as unknown as MessageInitShape<typeof ExportLogsServiceRequestSchema>,
    ),
  ),
);
/** Valid requests with bytes flipped, cut or appended: what a broken client or a bad proxy sends. */
const mangled = fc
  .tuple(encoded, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat())
  .map(([bytes, flips, cut]) => {
    const copy = Buffer.from(bytes);
    for (const [at, value] of flips) if (copy.length > 0) copy[at % copy.length] = value;
    return copy.subarray(0, copy.length === 0 ? 0 : cut % (copy.length + 1));
  });
const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: 34 });
const jsonLike = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
  fc
    .record({
      resourceLogs: fc.array(
        fc.record({
          resource: fc.record({
            attributes: fc.array(fc.record({ key: text, value: fc.jsonValue() }), { maxLength: 4 }),
          }),
          scopeLogs: fc.array(
            fc.record({
              logRecords: fc.array(
                fc.record(
                  {
                    timeUnixNano: fc.oneof(fc.string(), fc.nat(), fc.constant('1790000000123456789')),
                    severityNumber: fc.oneof(fc.integer(), fc.string()),
                    traceId: fc.oneof(hex, fc.string()),
                    spanId: hex,
                    body: fc.oneof(fc.jsonValue(), fc.record({ stringValue: fc.string() })),
                    attributes: fc.jsonValue(),
                  },
                  { requiredKeys: [] },
                ),
                { maxLength: 4 },
              ),
            }),
            { maxLength: 2 },
          ),
        }),
        { maxLength: 2 },
      ),
    })
    .map((v) => JSON.stringify(v)),
);
const body = fc.oneof(
  encoded.map((b) => ['protobuf', b] as const),
  mangled.map((b) => ['protobuf', b] as const),
  fc.uint8Array({ maxLength: 2048 }).map((b) => ['protobuf', b] as const),
  jsonLike.map((t) => ['json', Buffer.from(t)] as const),
);

it('never answers 500 to fuzzed OTLP bodies, answers each in OTLP form, and keeps serving', {
  timeout: 120_000,
}, async () => {
  const stream = await openStream(g.url, 'channels=logs:*:*:*');
  await fc.assert(
    fc.asyncProperty(body, fc.boolean(), async ([format, bytes], gzip) => {
      const payload = gzip ? gzipSync(bytes) : bytes;
      const res = await fetch(`${g.url}/v1/logs`, {
        method: 'POST',
        headers: {
          'content-type': format === 'protobuf' ? 'application/x-protobuf' : 'application/json',
          ...(gzip && { 'content-encoding': 'gzip' }),
        },
        body: new Uint8Array(payload),
      });
      expect([200, 400, 413]).toContain(res.status);
      const answer = new Uint8Array(await res.arrayBuffer());
      expect(answer.length).toBeLessThan(2048);
      if (format === 'json') {
        const json = JSON.parse(Buffer.from(answer).toString('utf8'));
        if (res.status !== 200)
          expect(json).toEqual({ code: expect.any(Number), message: expect.any(String) });
      } else if (res.status === 200) {
        fromBinary(ExportLogsServiceResponseSchema, answer);
      } else {
        expect(fromBinary(StatusSchema, answer).message).not.toBe('');
      }
    }),
    { numRuns: 400 },
  );
  expect((await call(`${g.url}/health`)).status).toBe(200);
  const marker = toBinary(
    ExportLogsServiceRequestSchema,
    create(ExportLogsServiceRequestSchema, {
      resourceLogs: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { value: { case: 'stringValue', value: 'fuzz' } } }],
          },
          scopeLogs: [{ logRecords: [{ body: { value: { case: 'stringValue', value: 'after fuzzing' } } }] }],
        },
      ],
    }),
  );
  const after = await fetch(`${g.url}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: new Uint8Array(marker),
  });
  expect(after.status).toBe(200);
  await stream.until((r) => r.data('log').some((e) => e.message === 'after fuzzing'), 'the marker');
  // Whatever was accepted reached the stream as well-formed events with ids and a level.
  for (const event of stream.events.slice(1)) {
    expect(event.id).toMatch(/^\d+-\d+$/);
    expect(JSON.parse(event.data).level).toMatch(/^(trace|debug|info|warn|error|fatal)$/);
  }
  stream.close();
});
