import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryEncoder, linePrefix, spliceLine } from '../src/entryEncoder';
import { EntryQueue } from '../src/entryQueue';
import { pushJson } from './helpers/pushJson';

/** Strings made to trip an encoder: lone surrogates, pairs, controls, quotes, separators, non-ASCII. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\ud800', '\udfff', 'a\ud83d', '\ud83d\ude00', '\u2028\u2029', '"\\\n\t\u0000\u001f', 'é'),
  fc.string({ unit: fc.constantFrom('a', 'é', '\u2028', '\ud800', '😀', '"', '\n'), maxLength: 64 }),
);

const field = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 3 }),
  ),
})).value;

const queued = fc.record({
  json: fc.dictionary(hostileString, field, { maxKeys: 5 }).map((entry) => JSON.stringify(entry)),
  head: fc.constantFrom('{', '{"service":"s"', '{"service":"s","workspace_id":"ws-é"'),
  stamp: fc.oneof(fc.constant(Number.NaN), fc.integer({ min: 0, max: 253_402_300_799_999 })),
});

describe('EntryQueue packing', () => {
  it('sends every line exactly as spliceLine forms it, in order, whatever the strings hold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(queued, fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        (steps, batchSize) => {
          const queue = new EntryQueue(steps.length);
          const expected: string[] = [];
          for (const [entry, packNow] of steps) {
            pushJson(queue, entry.json, entry.head, entry.stamp);
            expected.push(spliceLine(entry.head, entry.stamp, entry.json));
            if (packNow) queue.pack();
          }
          const sent: string[] = [];
          for (let batch = queue.take(batchSize, 1 << 30); batch; batch = queue.take(batchSize, 1 << 30)) {
            expect(batch.length).toBeLessThanOrEqual(batchSize);
            sent.push(...Buffer.concat(batch.slice(0, batch.length)).toString('utf8').split('\n'));
            // Each entry alone is its line, and its size is what queueBytes counts.
            for (let i = 0; i < batch.length; i++) {
              const line = Buffer.concat(batch.slice(i, i + 1)).toString('utf8');
              expect(line).toBe(expected[sent.length - batch.length + i]);
              expect(batch.sizes[i]).toBe(line.length);
            }
          }
          expect(sent).toEqual(expected);
          for (const [i, line] of sent.entries()) {
            const { json, head, stamp } = steps[i]![0];
            const parsed = JSON.parse(line);
            expect(parsed).toEqual({
              ...JSON.parse(`${linePrefix(head, stamp)}}`),
              ...JSON.parse(json),
            });
          }
          expect([queue.size, queue.bytes]).toEqual([0, 0]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('packs an entry larger than its scratch buffer on its own, between ordinary ones', () => {
    const queue = new EntryQueue(4);
    // 200,000 characters may take up to 600,000 bytes: more than the shared scratch holds.
    const long = JSON.stringify({ message: `${'é'.repeat(100_000)}${'\u2028x'.repeat(50_000)}` });
    const lines = ['{"a":1}', long, JSON.stringify({ b: '\ud800' })];
    for (const json of lines) pushJson(queue, json, '{', Number.NaN);
    queue.pack();
    const batch = queue.take(10, 1 << 30)!;
    expect(batch.length).toBe(3);
    expect([0, 1, 2].map((i) => Buffer.concat(batch.slice(i, i + 1)).toString('utf8'))).toEqual(lines);
    expect(JSON.parse(Buffer.concat(batch.slice(1, 2)).toString('utf8'))).toEqual(JSON.parse(long));
  });

  it('writes over a slab only once every batch holding its bytes is released', () => {
    const queue = new EntryQueue(2000);
    const text = (body: Buffer[]) => Buffer.concat(body).toString('utf8');
    const fill = (tag: string) => {
      for (let i = 0; i < 1000; i++)
        pushJson(queue, JSON.stringify({ tag, i, pad: 'x'.repeat(100) }), '{', Number.NaN);
    };
    fill('held');
    const held = queue.take(1000, 1 << 30)!;
    const heldText = text(held.slice(0, held.length));
    // Waiting for a retry, the batch keeps its bytes while later batches come and go.
    for (let round = 0; round < 5; round++) {
      fill(`later-${round}`);
      for (let batch = queue.take(300, 1 << 30); batch; batch = queue.take(300, 1 << 30)) batch.release();
    }
    expect(text(held.slice(0, held.length))).toBe(heldText);
    held.release();
    // Once everything in it is settled, a slab is written from its start again.
    const small = new EntryQueue(10);
    pushJson(small, '{"a":1}', '{', Number.NaN);
    const first = small.take(10, 1000)!;
    first.release();
    pushJson(small, '{"b":2}', '{', Number.NaN);
    const second = small.take(10, 1000)!;
    expect(second.slice(0, 1)[0]!.buffer).toBe(first.slice(0, 1)[0]!.buffer);
    expect(text(second.slice(0, 1))).toBe('{"b":2}');
  });

  it('keeps its loose parts bounded when it drops its oldest loose entries and is never packed', () => {
    const queue = new EntryQueue(3);
    const encoder = new EntryEncoder('svc', {}, () => 1);
    for (let i = 0; i < 20_000; i++) {
      if (queue.size === 3) queue.drop();
      const own = encoder.encode({ workspace_id: 'ws', resource_id: 'r', message: `m${i}`, i }, queue.parts);
      queue.commit(own, encoder.head, encoder.stamp);
    }
    expect(queue.parts.kinds.length).toBeLessThanOrEqual(1024);
    const batch = queue.take(10, 1 << 30)!;
    const lines = Buffer.concat(batch.slice(0, batch.length)).toString('utf8').split('\n');
    expect(lines.map((line) => JSON.parse(line).i)).toEqual([19_997, 19_998, 19_999]);
    expect([queue.size, queue.bytes, queue.parts.end]).toEqual([0, 0, 0]);
  });
});
