import type { LogEntry } from '@logs-sse/protocol';
import { memo } from 'react';
import { channelHue, channelLabel } from './channelLabel';
import { endOfLine, lineCount, plainMessage } from './entryText';
import { extraFields, fieldText } from './fields';
import { formatTime, type TimeMode } from './format';
import { MessageText } from './MessageText';

/** How every row of a view looks; one object per view, so rows re-render only when it changes. */
export interface RowLook {
  time: TimeMode;
  fields: boolean;
  channel: boolean;
  wrap: boolean;
  collapseAfter: number;
  pattern: RegExp | undefined;
}

/** Lines a row takes when lines do not wrap: its message's lines (collapsed or not) and the toggle's. */
export function rowLines(entry: LogEntry, look: RowLook, expanded: boolean): number {
  const lines = lineCount(entry);
  if (lines <= look.collapseAfter) return lines;
  return (expanded ? lines : look.collapseAfter) + 1;
}

interface LogRowProps {
  entry: LogEntry;
  index: number;
  look: RowLook;
  expanded: boolean;
  selected: boolean;
  /** Which of this entry's matches is the current one, or -1. */
  currentMatch: number;
  /** Height in pixels when lines do not wrap; `undefined` lets a wrapped row take what it needs. */
  height: number | undefined;
  rowId: string;
  onToggle: (id: string) => void;
  measure: ((element: HTMLElement | null) => void) | undefined;
}

export const LogRow = /* @__PURE__ */ memo(function LogRow(props: LogRowProps) {
  const { entry, index, look, expanded, selected, currentMatch, height, rowId, onToggle, measure } = props;
  const lines = lineCount(entry);
  const collapsible = lines > look.collapseAfter;
  const limit = collapsible && !expanded ? endOfLine(entry, look.collapseAfter) : plainMessage(entry).length;
  const fields = look.fields ? extraFields(entry) : [];
  return (
    <div
      ref={measure}
      id={rowId}
      className={`lv-row lv-level-${entry.level}${selected ? ' lv-selected' : ''}`}
      data-index={index}
      data-log-id={entry.id}
      data-level={entry.level}
      data-channel-name={entry.channel}
      aria-current={selected ? 'true' : undefined}
      tabIndex={-1}
      style={height === undefined ? undefined : { height }}
    >
      {look.channel && (
        <span className={`lv-badge lv-hue-${channelHue(entry.channel)}`} title={entry.channel}>
          {channelLabel(entry.channel)}
        </span>
      )}
      {look.time !== 'off' && (
        <time className="lv-time" dateTime={entry.timestamp}>
          {formatTime(entry.timestamp, look.time)}
        </time>
      )}
      <span className="lv-level">{entry.level}</span>
      <span className="lv-text">
        <span className="lv-message">
          <MessageText entry={entry} limit={limit} pattern={look.pattern} current={currentMatch} />
        </span>
        {fields.length > 0 && (
          <span className="lv-fields">
            {fields.map(([key, value]) => (
              <span key={key} className="lv-field">
                <span className="lv-field-key">{key}</span>={fieldText(value)}
              </span>
            ))}
          </span>
        )}
        {collapsible && (
          <button
            type="button"
            className="lv-more"
            aria-expanded={expanded}
            onClick={(event) => {
              event.stopPropagation();
              onToggle(entry.id);
            }}
          >
            {expanded ? 'show less' : `show ${lines - look.collapseAfter} more lines`}
          </button>
        )}
      </span>
    </div>
  );
});
