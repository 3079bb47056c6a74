import type { LogEntry } from '@logs-sse/protocol';
import { memo } from 'react';
import { splitHighlight } from './highlight';

interface LogRowProps {
  entry: LogEntry;
  search: string;
}

/** One log line: time, level and the message as text, with the search's matches in `<mark>`. */
export const LogRow = memo(function LogRow({ entry, search }: LogRowProps) {
  const time = entry.timestamp.slice(11, 23);
  return (
    <>
      <time dateTime={entry.timestamp}>{time}</time>
      <span className="level">{entry.level}</span>
      <span className="message">
        {splitHighlight(entry.message, search).map((part, i) =>
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one message never reorder.
          part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
        )}
      </span>
    </>
  );
});
