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
