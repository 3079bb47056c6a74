import { gzipSync } from 'node:zlib';
import { create, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusSchema } from '../src/otlp/proto/google/rpc/status_pb';
import {
  ExportLogsServiceRequestSchema,
  ExportLogsServiceResponseSchema,
} from '../src/otlp/proto/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import { MemoryStore } from '../src/store/memory/memoryStore';
import { call, openStream, type Started, startGateway } from './helpers';

let g: Started | undefined;
afterEach(async () => {
  await g?.gateway.close();
  g = undefined;
});

type RequestInit_ = MessageInitShape<typeof ExportLogsServiceRequestSchema>;
type Record_ = NonNullable<
  NonNullable<NonNullable<RequestInit_['resourceLogs']>[number]['scopeLogs']>[number]['logRecords']
>[number];

const str = (value: string) => ({ value: { case: 'stringValue' as const, value } });
const attr = (key: string, value: string) => ({ key, value: str(value) });

/** A request of one resource (attributes given) and one scope holding `records`. */
function request(resource: Record<string, string>, records: Record_[]): Uint8Array {
  return toBinary(
    ExportLogsServiceRequestSchema,
    create(ExportLogsServiceRequestSchema, {
      resourceLogs: [
        {
          resource: { attributes: Object.entries(resource).map(([k, v]) => attr(k, v)) },
          scopeLogs: [{ scope: { name: 'test' }, logRecords: records }],
        },
      ],
    }),
  );
}

function post(url: string, body: Uint8Array | string, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/logs`, {
    method: 'POST',
    headers: {
      'content-type': typeof body === 'string' ? 'application/json' : 'application/x-protobuf',
      ...headers,
    },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

async function protoAnswer(res: Response) {
  const bytes = new Uint8Array(await res.arrayBuffer());
  return res.status === 200
    ? { status: 200, response: fromBinary(ExportLogsServiceResponseSchema, bytes) }
    : { status: res.status, error: fromBinary(StatusSchema, bytes) };
}

const T = 1_790_000_000_123_456_789n; // 2026-09-21T14:13:20.123456789Z, in nanoseconds as OTLP counts

describe('OTLP JSON, as the specification writes it', () => {
  it('reads hex ids, 64-bit integers as strings, enums as numbers, and ignores unknown fields', async () => {
    g = await startGateway();
    const stream = await openStream(g.url, 'channels=logs:*:*:*');
    const body = JSON.stringify({
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: 'billing' } },
              { key: 'logs_sse.workspace_id', value: { stringValue: 'eu' } },
              { key: 'host.name', value: { stringValue: 'node-7' } },
              { key: 'process.pid', value: { intValue: '4242' } },
            ],
          },
          scopeLogs: [
            {
              scope: { name: 'invoices', version: '2' },
              logRecords: [
                {
                  timeUnixNano: '1790000000123456789',
                  observedTimeUnixNano: '1790000000999000000',
                  severityNumber: 17,
                  severityText: 'Error',
                  traceId: '5B8EFFF798038103D269B633813FC60C',
                  spanId: 'eee19b7ec3c1b174',
                  body: {
                    kvlistValue: {
                      values: [
                        { key: 'invoice', value: { intValue: '9007199254740993' } },
                        { key: 'paid', value: { boolValue: false } },
                        { key: 'ratio', value: { doubleValue: 0.5 } },
                        { key: 'raw', value: { bytesValue: 'AQID' } },
                        { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }] } } },
                      ],
                    },
                  },
                  attributes: [
                    { key: 'logs_sse.resource_id', value: { intValue: 77 } },
                    { key: 'level', value: { stringValue: 'not the level' } },
                    { key: 'customer', value: { stringValue: 'c-1' } },
                  ],
                  droppedAttributesCount: 0,
                  someFieldOfALaterVersion: { x: 1 },
                },
              ],
            },
          ],
        },
      ],
    });
    const res = await post(g.url, body);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({});
    await stream.untilEvents('log', 1);
    expect(stream.data('log')[0]).toEqual({
      id: expect.any(String),
      type: 'log',
      channel: 'logs:billing:eu:77',
      timestamp: '2026-09-21T14:13:20.123Z',
      level: 'error',
      message: '{"invoice":"9007199254740993","paid":false,"ratio":0.5,"raw":"AQID","tags":["a"]}',
      trace_id: '5b8efff798038103d269b633813fc60c',
      span_id: 'eee19b7ec3c1b174',
      scope: 'invoices',
      'host.name': 'node-7',
      'attr.level': 'not the level',
      customer: 'c-1',
    });
    stream.close();
  });

  it('refuses ids that are not hex of their length, and bodies that are not OTLP, with 400 and a Status', async () => {
    g = await startGateway();
    const record = (traceId: string) =>
      JSON.stringify({
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId, body: { stringValue: 'x' } }] }] }],
      });
    for (const body of [record('W4787/mAOBA9Jpm2M4E/xg=='), record('abc'), '{"resourceLogs": 3}', '[', '']) {
      const res = await post(g.url, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/json');
      const status = await res.json();
      expect(status).toEqual({ code: 3, message: expect.any(String) });
      expect(status.message.length).toBeLessThanOrEqual(1024);
    }
    expect(g.gateway.stats().logs.in).toBe(0);
  });
});

describe('answers', () => {
  it('counts rejected records in partial_success, says why in a short message, and stores the rest', async () => {
    g = await startGateway({ maxOtlpAttributes: 4 });
    const many = Array.from({ length: 5 }, (_, i) => attr(`a${i}`, 'x'));
    const good = { body: str('kept'), timeUnixNano: T };
    const body = request({ 'service.name': 'api' }, [
      good,
      { body: str('too many'), attributes: many },
      good,
    ]);
    const res = await protoAnswer(await post(g.url, body));
    expect(res.status).toBe(200);
    expect(res.response?.partialSuccess).toMatchObject({
      rejectedLogRecords: 1n,
      errorMessage:
        '1 of 3 log records were rejected: record 1: the record has 5 attributes, more than the 4 allowed (maxOtlpAttributes)',
    });
    expect(g.gateway.stats().logs).toMatchObject({ in: 2, rejected: 1 });

    const unnamed = await protoAnswer(await post(g.url, request({}, [good])));
    expect(unnamed.response?.partialSuccess?.errorMessage).toBe(
      '1 of 1 log records were rejected: record 0: the resource has no service.name attribute: set OTEL_SERVICE_NAME (or service.name) on the service',
    );
    const fallback = await protoAnswer(
      await post(g.url, request({ 'service.name': 'unknown_service:node' }, [good, good])),
    );
    expect(fallback.response?.partialSuccess).toMatchObject({
      rejectedLogRecords: 2n,
      errorMessage:
        '2 of 2 log records were rejected: record 0: service.name "unknown_service:node" is not a channel segment ([A-Za-z0-9_.-], 1 to 128 characters): set OTEL_SERVICE_NAME',
    });
    expect(g.gateway.stats().logs.in).toBe(2);
  });

  it('keeps the answer short whatever the number of rejected records', async () => {
    g = await startGateway();
    const records = Array.from({ length: 5000 }, (_, i) => ({
      body: str('x'),
      attributes: [attr('logs_sse.resource_id', `bad resource ${i}`)],
    }));
    const res = await post(g.url, request({ 'service.name': 'api' }, records));
    const bytes = (await res.clone().arrayBuffer()).byteLength;
    const { response } = await protoAnswer(res);
    expect(response?.partialSuccess?.rejectedLogRecords).toBe(5000n);
    expect(response?.partialSuccess?.errorMessage).toMatch(
      /^5000 of 5000 log records were rejected: record 0: /,
    );
    expect(bytes).toBeLessThanOrEqual(1100);
  });

  it('answers in protobuf to protobuf: an empty ExportLogsServiceResponse when all was stored', async () => {
    g = await startGateway();
    const res = await post(g.url, request({ 'service.name': 'api' }, [{ body: str('x') }]));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('403 with a Status when the token may publish none of the services; 401 without a token', async () => {
    const token = 'publisher-api-0123456789';
    g = await startGateway({ auth: { publishers: [{ token, services: ['api'] }] } });
    const body = request({ 'service.name': 'billing' }, [{ body: str('x') }]);
    const forbidden = await protoAnswer(await post(g.url, body, { authorization: `Bearer ${token}` }));
    expect(forbidden).toEqual({
      status: 403,
      error: expect.objectContaining({
        code: 7,
        message: 'no log record was accepted: this token may not publish to service "billing"',
      }),
    });
    const anonymous = await post(g.url, body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await protoAnswer(anonymous)).error?.code).toBe(16);
    // Exporters send headers; a token in the URL would end up in access logs.
    const inQuery = await fetch(`${g.url}/v1/logs?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(body),
    });
    expect(inQuery.status).toBe(400);
  });

  it('429 with Retry-After under publishRateLimit, and nothing stored', async () => {
    g = await startGateway({ publishRateLimit: { entriesPerSecond: 1, burst: 2 }, now: () => 1_000_000 });
    const body = request({ 'service.name': 'api' }, [
      { body: str('a') },
      { body: str('b') },
      { body: str('c') },
    ]);
    expect((await post(g.url, body)).status).toBe(200);
    const limited = await post(g.url, body);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await protoAnswer(limited)).error).toMatchObject({
      code: 8,
      message: expect.stringContaining('over its publish rate limit'),
    });
    expect(g.gateway.stats().logs).toMatchObject({ in: 3, rateLimited: 3 });
  });

  it('503 with Retry-After when the store fails', async () => {
    const store = new MemoryStore({
      historyPerChannel: 100,
      historyTtlMs: 60_000,
      maxHistoryBytes: 1e6,
      now: Date.now,
    });
    store.append = () => Promise.reject(new Error('store down'));
    g = await startGateway({ store });
    const res = await post(
      g.url,
      '{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"x"}}]}]}]}',
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({ code: 14, message: 'the log store is unavailable; retry later' });
    await store.close();
  });
});

describe('bounded work per request', () => {
  it('refuses more records than maxEntriesPerPublish with 413, before mapping any', async () => {
    g = await startGateway({ maxEntriesPerPublish: 10 });
    const res = await protoAnswer(
      await post(
        g.url,
        request(
          { 'service.name': 'api' },
          Array.from({ length: 11 }, () => ({ body: str('x') })),
        ),
      ),
    );
    expect(res).toEqual({
      status: 413,
      error: expect.objectContaining({
        code: 8,
        message:
          'the request holds 11 log records, more than the 10 one request may hold; export smaller batches',
      }),
    });
  });

  it('refuses bodies past maxBodyBytes, plain or gzip, and accepts gzip below it', async () => {
    g = await startGateway({ maxBodyBytes: 4096 });
    const big = request({ 'service.name': 'api' }, [{ body: str('x'.repeat(100_000)) }]);
    expect((await post(g.url, big)).status).toBe(413);
    expect((await post(g.url, gzipSync(big), { 'content-encoding': 'gzip' })).status).toBe(413);
    const small = request({ 'service.name': 'api' }, [{ body: str('zipped') }]);
    expect((await post(g.url, gzipSync(small), { 'content-encoding': 'gzip' })).status).toBe(200);
    expect(g.gateway.stats().logs.in).toBe(1);
  });

  it('rejects a record nested deeper than an entry may be; refuses a body nested far deeper whole', async () => {
    g = await startGateway();
    const nested = (levels: number) => {
      let value: unknown = { stringValue: 'bottom' };
      for (let i = 0; i < levels; i++) value = { arrayValue: { values: [value] } };
      return value;
    };
    const json = (levels: number) =>
      JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
            scopeLogs: [
              {
                logRecords: [
                  { body: { stringValue: 'ok' }, attributes: [{ key: 'deep', value: nested(levels) }] },
                  { body: { stringValue: 'flat' } },
                ],
              },
            ],
          },
        ],
      });
    const ok = await post(g.url, json(32));
    expect(await ok.json()).toEqual({});
    const one = await (await post(g.url, json(33))).json();
    expect(one.partialSuccess).toEqual({
      rejectedLogRecords: '1',
      errorMessage:
        '1 of 2 log records were rejected: record 0: attribute "deep" is nested deeper than 32 levels',
    });
    expect((await post(g.url, json(1000))).status).toBe(400);
    // The same in protobuf, where the decoder's recursion limit is the backstop.
    let deep: Uint8Array = new Uint8Array([0x0a, 0x01, 0x78]); // AnyValue { string_value: "x" }
    for (let i = 0; i < 2000; i++) deep = wrapArray(deep);
    // LogRecord.body (5) in ScopeLogs.log_records (2) in ResourceLogs.scope_logs (2) in resource_logs (1).
    const body = field(1, field(2, field(2, field(5, deep))));
    const refused = await protoAnswer(await post(g.url, body));
    expect(refused).toMatchObject({ status: 400, error: { code: 3 } });
    expect(refused.error?.message).toMatch(/maximum recursion depth/);
    expect(g.gateway.stats().logs.in).toBe(3);
  });

  it('415 for another content type; open mode refuses what a page could send without preflight', async () => {
    g = await startGateway();
    const xml = await post(g.url, '<logs/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    const plain = await post(g.url, '{}', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(403);
    expect((await call(`${g.url}/v1/logs`)).status).toBe(405);
  });
});

/** An AnyValue holding an ArrayValue holding `inner`: array_value (5) of values (1). */
function wrapArray(inner: Uint8Array): Uint8Array {
  return field(5, field(1, inner));
}

/** A length-delimited protobuf field. */
function field(number: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(number << 3) | 2]), varint(bytes.length), bytes]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

describe('the otlp option', () => {
  it('renames the attributes that name workspace and resource, and sets the defaults', async () => {
    g = await startGateway({
      otlp: {
        workspaceAttribute: 'tenant.id',
        resourceAttribute: 'job.id',
        defaultResource: 'all',
        resourceAttributes: ['deployment.environment'],
      },
    });
    const stream = await openStream(g.url, 'channels=logs:api:*:*');
    const body = request({ 'service.name': 'api', 'tenant.id': 't-1', 'deployment.environment': 'prod' }, [
      {
        body: str('named'),
        attributes: [attr('job.id', 'j-9'), attr('logs_sse.resource_id', 'kept as a field')],
      },
      { body: str('defaulted') },
    ]);
    expect((await post(g.url, body)).status).toBe(200);
    await stream.untilEvents('log', 2);
    const [named, defaulted] = stream.data('log');
    expect(named).toMatchObject({
      channel: 'logs:api:t-1:j-9',
      'deployment.environment': 'prod',
      'logs_sse.resource_id': 'kept as a field',
    });
    expect(named['job.id']).toBeUndefined();
    expect(defaulted).toMatchObject({ channel: 'logs:api:t-1:all', message: 'defaulted' });
    stream.close();
  });

  it('is checked like every option: unknown keys, wrong types and bad segments are refused', async () => {
    await expect(startGateway({ otlp: { workspace: 'x' } as never })).rejects.toThrow(
      'unknown option "workspace" in createGateway options (in "otlp"); expected one of "workspaceAttribute", "resourceAttribute", "defaultWorkspace", "defaultResource", "resourceAttributes"',
    );
    await expect(startGateway({ otlp: { defaultResource: 'a b' } })).rejects.toThrow(
      'otlp.defaultResource in createGateway options must be a channel segment ([A-Za-z0-9_.-], 1 to 128 characters); got "a b"',
    );
    await expect(startGateway({ otlp: { resourceAttributes: 'host.name' as never } })).rejects.toThrow(
      /otlp.resourceAttributes .* must be an array of attribute names/,
    );
    await expect(startGateway({ maxOtlpAttributes: 0 })).rejects.toThrow(
      'maxOtlpAttributes in createGateway options must be a whole number >= 1; got 0',
    );
  });
});

describe('POST /v1/logs with an Idempotency-Key', () => {
  const history = async (url: string) =>
    (await call(`${url}/api/logs/history?channel=logs:checkout:default:default`)).json.logs.map(
      (entry: { message: string }) => entry.message,
    );

  it('answers a repeat as the first request, in its encoding, and stores nothing twice', async () => {
    g = await startGateway();
    const body = request({ 'service.name': 'checkout' }, [{ body: str('paid'), severityNumber: 9 }]);
    const headers = { 'idempotency-key': '"otlp-batch-1"' };
    const first = await post(g.url, body, headers);
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    const again = await post(g.url, body, headers);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toBe('application/x-protobuf');
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(firstBytes);

    // The same key in JSON is another request, and the same body in JSON under a key of its own is stored.
    const json = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeLogs: [{ logRecords: [{ body: { stringValue: 'refunded' }, severityNumber: 9 }] }],
        },
      ],
    });
    const reused = await post(g.url, json, headers);
    expect(reused.status).toBe(422);
    const jsonHeaders = { 'idempotency-key': '"otlp-batch-2"' };
    expect((await post(g.url, json, jsonHeaders)).status).toBe(200);
    const jsonAgain = await post(g.url, json, jsonHeaders);
    expect([jsonAgain.status, jsonAgain.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    expect(await history(g.url)).toEqual(['paid', 'refunded']);
  });

  it('refuses a malformed key before reading the body', async () => {
    g = await startGateway();
    const body = request({ 'service.name': 'checkout' }, [{ body: str('paid') }]);
    const answer = await post(g.url, body, { 'idempotency-key': 'two words' });
    expect(answer.status).toBe(400);
    expect(await history(g.url)).toEqual([]);
  });
});
