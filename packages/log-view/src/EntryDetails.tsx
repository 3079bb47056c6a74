import type { LogEntry } from '@logs-sse/protocol';
import { plainMessage } from './entryText';
import { extraFields } from './fields';

interface EntryDetailsProps {
  entry: LogEntry;
  onCopyLine: () => void;
  onCopyLink: () => void;
  onClose: () => void;
}

/** Every field of the selected entry, with its cursor, and what can be done with it. */
export function EntryDetails({ entry, onCopyLine, onCopyLink, onClose }: EntryDetailsProps) {
  const rows: Array<[string, string]> = [
    ['cursor', entry.id],
    ['channel', entry.channel],
    ['timestamp', entry.timestamp],
    ['level', entry.level],
    ['message', plainMessage(entry)],
    ...extraFields(entry).map(([key, value]): [string, string] => [
      key,
      typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value)),
    ]),
  ];
  return (
    <section className="lv-details" aria-label="Entry details" data-details-for={entry.id}>
      <div className="lv-details-bar">
        <strong>Entry {entry.id}</strong>
        <button type="button" onClick={onCopyLine}>
          Copy line
        </button>
        <button type="button" onClick={onCopyLink}>
          Copy link
        </button>
        <button type="button" onClick={onClose} aria-label="Close details">
          ×
        </button>
      </div>
      <dl>
        {rows.map(([key, value]) => (
          <div key={key} className="lv-detail">
            <dt>{key}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
