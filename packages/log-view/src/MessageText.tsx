import type { LogEntry } from '@logs-sse/protocol';
import type { CSSProperties, ReactNode } from 'react';
import { ansiCss } from './ansi/ansiCss';
import { type AnsiSegment, type AnsiStyle, parseAnsi } from './ansi/parseAnsi';
import { plainMessage } from './entryText';
import { findMatches } from './search';

const segmentCache = new WeakMap<LogEntry, AnsiSegment[]>();
const cssCache = new WeakMap<AnsiStyle, CSSProperties>();

function segmentsOf(entry: LogEntry): AnsiSegment[] {
  let segments = segmentCache.get(entry);
  if (segments === undefined) {
    segments = parseAnsi(entry.message);
    segmentCache.set(entry, segments);
  }
  return segments;
}

function cssOf(style: AnsiStyle): CSSProperties {
  let css = cssCache.get(style);
  if (css === undefined) {
    css = ansiCss(style);
    cssCache.set(style, css);
  }
  return css;
}

interface MessageTextProps {
  entry: LogEntry;
  /** Characters of the plain message shown (a collapsed message shows its first lines). */
  limit: number;
  pattern: RegExp | undefined;
  /** Which of this entry's matches is the current one, or -1. */
  current: number;
}

/**
 * A message as styled runs of text with the search's matches in `<mark>`: React text nodes and spans
 * only, never HTML, and never an escape code.
 */
export function MessageText({ entry, limit, pattern, current }: MessageTextProps) {
  const text = plainMessage(entry);
  const segments = segmentsOf(entry);
  const matches = pattern === undefined ? [] : findMatches(text, pattern);
  const end = Math.min(limit, text.length);
  const out: ReactNode[] = [];
  let offset = 0;
  let m = 0;
  for (const segment of segments) {
    if (offset >= end) break;
    const segEnd = Math.min(offset + segment.text.length, end);
    const css = segment.style === undefined ? undefined : cssOf(segment.style);
    let pos = offset;
    while (pos < segEnd) {
      while (m < matches.length && matches[m]![1] <= pos) m++;
      const match = matches[m];
      const inMatch = match !== undefined && match[0] <= pos;
      const to = Math.min(segEnd, inMatch ? match[1] : (match?.[0] ?? segEnd));
      const piece = segment.text.slice(pos - offset, to - offset);
      if (inMatch) {
        out.push(
          // A match shows in the theme's mark colours, readable whatever the message's own colours.
          <mark key={out.length} className={m === current ? 'lv-current' : undefined}>
            {piece}
          </mark>,
        );
      } else if (css !== undefined) {
        out.push(
          <span key={out.length} style={css}>
            {piece}
          </span>,
        );
      } else {
        out.push(piece);
      }
      pos = to;
    }
    offset += segment.text.length;
  }
  return <>{out}</>;
}
