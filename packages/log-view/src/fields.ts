import type { LogEntry } from '@logs-sse/protocol';

/** Fields the wire format owns; everything else on an entry is the publisher's own. */
const OWN = new Set(['id', 'type', 'channel', 'timestamp', 'level', 'message']);

/** The publisher's own fields of an entry (`durationMs`, `requestId`, ...), in the order they came. */
export function extraFields(entry: LogEntry): Array<[string, unknown]> {
  const fields: Array<[string, unknown]> = [];
  for (const key in entry) if (!OWN.has(key)) fields.push([key, entry[key]]);
  return fields;
}

/** A field's value on one line: strings as they are, anything else as JSON. */
export function fieldText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}
