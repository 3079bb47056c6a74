import { compareCursors, encodeSseComment, encodeSseEvent, encodeSseRetry } from '@logs-sse/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogsClient } from '../src/index';
import { fakeFetch } from './fakeFetch';
import { CHANNEL_A, CHANNEL_B, logEntry, waitForStatus } from './helpers';

/** A stream as the gateway writes it: retry, hello, heartbeats, entries of two channels, gap, status, done. */
function recordedStream(): { bytes: Uint8Array; expected: string[] } {
  let text = encodeSseRetry(2000);
  text += encodeSseEvent('hello', JSON.stringify({ connectionId: 'c1', heartbeatSeconds: 15, channels: [] }));
  const expected: string[] = [];
  text += encodeSseEvent('gap', JSON.stringify({ channel: CHANNEL_B, missed: 2, from: null }));
  expected.push(`${CHANNEL_B} gap 2`);
  let seq = 0;
  for (let i = 1; i <= 60; i++) {
    const channel = i % 3 === 0 ? CHANNEL_B : CHANNEL_A;
    // Multi-byte characters, so that chunk borders fall inside UTF-8 sequences too.
    const message = `line ${i} → ünïcødé 日本語 🚀 ${'x'.repeat(i % 7)}`;
    const id = `100-${++seq}`;
    text += encodeSseEvent('log', JSON.stringify(logEntry(id, channel, message)), id);
    expected.push(`${channel} log ${message}`);
    if (i % 10 === 0) text += encodeSseComment('heartbeat');
    if (i === 30) {
      const id = `100-${++seq}`;
      text += encodeSseEvent('status', JSON.stringify({ id, channel: CHANNEL_A, phase: 'active' }), id);
      expected.push(`${CHANNEL_A} status active`);
    }
  }
  const doneId = `100-${++seq}`;
  text += encodeSseEvent('done', JSON.stringify({ id: doneId, channel: CHANNEL_A }), doneId);
  expected.push(`${CHANNEL_A} done`);
  return { bytes: new TextEncoder().encode(text), expected };
}

/** Feeds `bytes` to a fresh client in the given chunks; resolves with the events it delivered. */
async function deliver(bytes: Uint8Array, cuts: number[]): Promise<{ events: string[]; batches: number }> {
  const fake = fakeFetch();
  const client = createLogsClient({ url: 'http://gateway.test', fetch: fake.fetch, debounceMs: 0 });
  const events: string[] = [];
  let batches = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  for (const channel of [CHANNEL_A, CHANNEL_B]) {
    client.subscribe(channel, {
      onLogs: (entries) => {
        batches++;
        for (const entry of entries) events.push(`${channel} log ${entry.message}`);
      },
      onStatus: (entry) => events.push(`${channel} status ${entry.phase}`),
      onGap: (gap) => events.push(`${channel} gap ${gap.missed}`),
      onDone: () => {
        events.push(`${channel} done`);
        finish();
      },
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
  const call = fake.calls[0]!;
  call.open();
  await waitForStatus(client, 'open');
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    call.pushBytes(bytes.slice(start, cut));
    start = cut;
  }
  await done;
  client.close();
  return { events, batches };
}

/**
 * Events per channel, in order. Across channels a chunk's logs are grouped by channel (one batch each),
 * so only the order within a channel is the stream's order.
 */
function byChannel(events: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const event of events) {
    const channel = event.slice(0, event.indexOf(' '));
    out[channel] = [...(out[channel] ?? []), event];
  }
  return out;
}

describe('chunking', () => {
  const recorded = recordedStream();
  const { bytes } = recorded;
  const expected = byChannel(recorded.expected);

  it('delivers a stream read in one piece', async () => {
    const { events, batches } = await deliver(bytes, []);
    expect(byChannel(events)).toEqual(expected);
    // One chunk: each channel gets one batch before the status and one after it.
    expect(batches).toBe(3);
  });

  it('delivers identical events however the bytes are split', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }),
        async (cuts) => {
          const { events } = await deliver(
            bytes,
            cuts.sort((a, b) => a - b),
          );
          expect(byChannel(events)).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('delivers identical events when read one byte at a time', async () => {
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    const { events } = await deliver(bytes, cuts);
    expect(byChannel(events)).toEqual(expected);
  });
});

describe('replay detection (fuzz)', () => {
  const cursor = fc.oneof(
    fc
      .tuple(fc.integer({ min: 0, max: 2 ** 50 }), fc.integer({ min: 0, max: 100_000 }))
      .map(([ms, seq]) => `${ms}-${seq}`),
    // Few shapes, so that cursors of one length, with the dash in the same place or not, often follow
    // each other: the client compares the first kind as text.
    fc
      .tuple(fc.constantFrom(9, 10, 99, 100, 1_795_950_000_000), fc.integer({ min: 0, max: 12 }))
      .map(([ms, seq]) => `${ms}-${seq}`),
  );

  it('delivers exactly the entries whose cursor is newer than every one before, whatever their shapes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cursor, { maxLength: 40 }), async (ids) => {
        const fake = fakeFetch();
        const client = createLogsClient({ url: 'http://gateway.test', fetch: fake.fetch, debounceMs: 0 });
        const seen: string[] = [];
        client.subscribe(CHANNEL_A, { onLogs: (entries) => seen.push(...entries.map((entry) => entry.id)) });
        await new Promise((resolve) => setTimeout(resolve, 0));
        const stream = fake.calls[0]!;
        stream.open();
        await waitForStatus(client, 'open');
        let text = encodeSseEvent(
          'hello',
          JSON.stringify({ connectionId: 'c', heartbeatSeconds: 15, channels: [] }),
        );
        const wanted: string[] = [];
        for (const id of ids) {
          text += encodeSseEvent('log', JSON.stringify(logEntry(id, CHANNEL_A, id)), id);
          if (wanted.length === 0 || compareCursors(id, wanted.at(-1)!) > 0) wanted.push(id);
        }
        stream.push(text);
        await new Promise((resolve) => setTimeout(resolve, 0));
        client.close();
        expect(seen).toEqual(wanted);
        expect(client.stats().duplicates).toBe(ids.length - wanted.length);
      }),
      { numRuns: 200 },
    );
  });
});
