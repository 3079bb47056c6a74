import { ERROR_CODES } from '@logs-sse/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, log, openStream, publish, type Started, startGateway } from './helpers';

let g: Started;
beforeAll(async () => {
  g = await startGateway({ maxBodyBytes: 16 * 1024 });
});
afterAll(() => g.gateway.close());

// Types a web page can POST without a preflight (text/plain, none) are refused before the body is read
// in open mode; the fuzzing is for the parsers, and application/xml still reaches the 415.
const contentTypes = fc.constantFrom(
  'application/json',
  'application/x-ndjson',
  'application/xml',
  'application/ld+json',
  'application/json; charset=utf-8',
);
const entryLike = fc.record(
  {
    type: fc.oneof(fc.constantFrom('log', 'status', 'done'), fc.string()),
    channel: fc.oneof(fc.constant('logs:svc:ws:fuzz'), fc.string()),
    message: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    level: fc.oneof(fc.constantFrom('info', 'ERR', 50, 'loud'), fc.jsonValue()),
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
      fc.integer(),
    ),
    phase: fc.string(),
    progress: fc.oneof(fc.integer(), fc.double()),
    service: fc.string(),
    workspace_id: fc.string(),
    resource_id: fc.string(),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  entryLike.map((e) => JSON.stringify(e)),
  fc.array(entryLike, { maxLength: 20 }).map((logs) => JSON.stringify({ logs })),
  fc
    .array(
      fc.oneof(
        entryLike.map((e) => JSON.stringify(e)),
        fc.string(),
      ),
      { maxLength: 20 },
    )
    .map((lines) => lines.join('\n')),
  fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)),
);

it('never crashes or answers 500 on fuzzed publish bodies, and keeps serving', {
  timeout: 120_000,
}, async () => {
  const stream = await openStream(g.url, 'channels=logs:*:*:*');
  await fc.assert(
    fc.asyncProperty(body, contentTypes, fc.boolean(), async (payload, contentType, gzip) => {
      const answer = await publish(g.url, payload, { contentType, gzip });
      expect([202, 400, 413, 415]).toContain(answer.status);
      if (answer.status !== 202) expect(answer.json.error.code).toEqual(expect.any(String));
    }),
    { numRuns: 300 },
  );
  expect((await call(`${g.url}/health`)).status).toBe(200);
  expect((await publish(g.url, log('fuzz', 'after fuzzing'))).status).toBe(202);
  await stream.until((r) => r.data('log').some((e) => e.message === 'after fuzzing'), 'the marker');
  // Whatever was accepted reached the stream as well-formed events with ids.
  for (const event of stream.events.slice(1)) expect(event.id).toMatch(/^\d+-\d+$/);
  stream.close();
});

const segment = fc.oneof(fc.constantFrom('svc', 'ws', 'a', '*', ''), fc.string({ maxLength: 8 }));
const channelLike = fc.oneof(
  fc.tuple(segment, segment, segment).map(([s, w, r]) => `logs:${s}:${w}:${r}`),
  fc.string({ maxLength: 40 }),
);
const cursorLike = fc.oneof(
  fc.constantFrom('0-0', '9999999999999-0', '1-', '-1', ''),
  fc.tuple(fc.nat(), fc.nat()).map(([ms, seq]) => `${ms}-${seq}`),
  fc.string({ maxLength: 20 }),
);
const param = fc.oneof(
  fc.array(channelLike, { maxLength: 4 }).map((c) => ['channels', c.join(',')] as const),
  fc
    .tuple(channelLike, fc.oneof(fc.nat().map(String), cursorLike))
    .map(([c, v]) => ['history', `${c}~${v}`] as const),
  fc.oneof(fc.nat().map(String), fc.string({ maxLength: 20 })).map((v) => ['tail', v] as const),
  fc
    .oneof(
      cursorLike,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
    )
    .map((v) => ['since', v] as const),
  fc
    .oneof(fc.constantFrom('info', 'warn', 'nope', ''), fc.string({ maxLength: 10 }))
    .map((v) => ['level', v] as const),
  fc.string({ maxLength: 300 }).map((v) => ['q', v] as const),
  fc.constantFrom('true', 'false', '0', '1', 'maybe').map((v) => ['follow', v] as const),
  cursorLike.map((v) => ['lastEventId', v] as const),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })),
);

it('answers every fuzzed stream and history query with events or a well-formed JSON error', {
  timeout: 120_000,
}, async () => {
  await publish(g.url, { logs: [log('a', 'one'), log('b', 'two'), log('a', 'three')] });
  await fc.assert(
    fc.asyncProperty(fc.array(param, { maxLength: 6 }), fc.boolean(), async (params, history) => {
      const query = new URLSearchParams();
      for (const [key, value] of params) query.append(key, value);
      if (history) {
        query.delete('channels');
        query.delete('history');
        const answer = await call(`${g.url}/api/logs/history?${query}`);
        if (answer.status === 200) expect(Array.isArray(answer.json.logs)).toBe(true);
        else expect(ERROR_CODES).toContain(answer.json.error.code);
        return;
      }
      if (!query.has('follow')) query.set('follow', 'false');
      const stream = await openStream(g.url, query.toString());
      if (stream.status === 200) {
        expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        if (query.get('follow') === 'false' || query.get('follow') === '0') {
          await stream.untilEnd();
          expect(stream.data('done')).toHaveLength(1);
        }
        for (const event of stream.events) expect(() => JSON.parse(event.data)).not.toThrow();
      } else {
        expect([400, 403]).toContain(stream.status);
        expect(ERROR_CODES).toContain(JSON.parse(stream.body).error.code);
      }
      stream.close();
    }),
    { numRuns: 300 },
  );
  expect((await call(`${g.url}/health`)).status).toBe(200);
  // Every stream the client closed is gone from the gateway (it runs in this process: let it see the closes).
  // A leak would keep this loop going until the test times out.
  const open = () => g.gateway.stats().connections + g.gateway.stats().answers.open;
  while (open() > 0) await new Promise((resolve) => setImmediate(resolve));
  expect(open()).toBe(0);
});
