import type { GapEvent, HelloEvent, HistoryEvent, LogEntry } from '@logs-sse/protocol';

/** The subscriber callback of each event that is not a log entry. */
export const CALLBACKS: ReadonlyMap<unknown, 'onStatus' | 'onDone' | 'onGap'> = new Map([
  ['status', 'onStatus'],
  ['done', 'onDone'],
  ['gap', 'onGap'],
]);

/** The `data` of any event the client reads, as one type: each event uses its own fields of it. */
export type EventData = LogEntry & GapEvent & HelloEvent & HistoryEvent;

/**
 * The data of a stream event the client reads: `undefined` for an event it does not read (a newer
 * gateway's), `null` when the data is not JSON of the expected shape. Every event but `hello` names its
 * channel; other fields are checked where they are used.
 */
export function decodeEvent(type: string | undefined, text: string): EventData | null | undefined {
  if (type !== 'log' && !CALLBACKS.has(type) && type !== 'hello' && type !== 'history') return undefined;
  let data: EventData | undefined;
  try {
    data = JSON.parse(text);
  } catch {}
  // What JSON.parse makes of an object or an array is an Object; of anything else, a primitive.
  return data instanceof Object && (type === 'hello' || typeof data.channel === 'string') ? data : null;
}
