import {
  type Cursor,
  encodeSseEvent,
  type LogLevel,
  levelRank,
  type NormalizedEntry,
} from '@logs-sse/protocol';
import type { StoredEntry } from './store';

/**
 * Serialises an entry exactly once: its JSON (id and type first, then the validated body) and its SSE
 * frame. `id` is digits and a dash, so it is spliced in without escaping.
 */
export function toStoredEntry(entry: NormalizedEntry, id: Cursor, storedAt: number): StoredEntry {
  const body = JSON.stringify(entry.body);
  const json = `{"id":"${id}","type":"${entry.type}",${body.slice(1)}`;
  // `Omit<>` of an indexed type leaves `unknown` fields: the validator guarantees their types.
  const message = entry.body.message;
  return {
    id,
    type: entry.type,
    channel: entry.channel,
    json,
    frame: Buffer.from(encodeSseEvent(entry.type, json, id)),
    levelRank: entry.type === 'log' ? levelRank(entry.body.level as LogLevel) : -1,
    message: typeof message === 'string' ? message : '',
    storedAt,
  };
}

/** Rough bytes an entry holds in memory: its frame, its JSON (UTF-16) and object overhead. */
export function entryBytes(entry: StoredEntry): number {
  return entry.frame.length + entry.json.length * 2 + entry.message.length * 2 + 160;
}
