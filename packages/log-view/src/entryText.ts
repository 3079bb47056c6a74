import type { LogEntry } from '@logs-sse/protocol';
import { stripAnsi } from './ansi/parseAnsi';

// Entries are immutable and shared by every render; keyed by the entry, these caches drop with it.
const plain = new WeakMap<LogEntry, string>();
const lineCounts = new WeakMap<LogEntry, number>();

/** The message as a reader sees it: escape sequences removed, trailing line breaks trimmed. */
export function plainMessage(entry: LogEntry): string {
  let text = plain.get(entry);
  if (text === undefined) {
    text = stripAnsi(entry.message).replace(/\n+$/, '');
    plain.set(entry, text);
  }
  return text;
}

/** How many lines the message spans (a stack trace: many). */
export function lineCount(entry: LogEntry): number {
  let count = lineCounts.get(entry);
  if (count === undefined) {
    const text = plainMessage(entry);
    count = 1;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
    lineCounts.set(entry, count);
  }
  return count;
}

/** Offset in the plain message just before its `lines`-th line break, or its length if it has fewer. */
export function endOfLine(entry: LogEntry, lines: number): number {
  const text = plainMessage(entry);
  let at = -1;
  for (let n = 0; n < lines; n++) {
    at = text.indexOf('\n', at + 1);
    if (at === -1) return text.length;
  }
  return at;
}
