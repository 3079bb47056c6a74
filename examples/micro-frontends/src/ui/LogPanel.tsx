import { LOG_LEVELS, type LogEntry, type LogLevel } from '@logs-sse/protocol';
import { type ReactNode, useState } from 'react';
import { LogList } from './LogList';
import { ProgressBar, type ProgressInfo } from './ProgressBar';
import type { PanelControls } from './usePanelControls';

export interface LogPanelProps {
  title: string;
  /** The channel the panel reads, shown and set as `data-channel`. */
  channel: string;
  logs: readonly LogEntry[];
  connectionStatus: string;
  progress: ProgressInfo;
  controls: PanelControls;
  onClear: () => void;
  /** Taller list, for a view of its own. */
  tall?: boolean;
  /** Shown between the header and the rows. */
  children?: ReactNode;
}

/**
 * The frame every micro frontend renders its logs in: header with connection and progress, level
 * filter, search, pause and clear, then the rows. It holds no connection of its own.
 */
export function LogPanel(props: LogPanelProps) {
  const { title, channel, logs, connectionStatus, progress, controls, onClear, tall, children } = props;
  // While paused, the rows stay as they were; the hook keeps collecting behind them.
  const [frozen, setFrozen] = useState<readonly LogEntry[]>();
  const shown = frozen ?? logs;
  const behind = frozen === undefined ? 0 : countNewer(logs, frozen.at(-1));

  return (
    <section className={`panel${tall ? ' tall' : ''}`} data-channel={channel} data-count={shown.length}>
      <header>
        <h2>{title}</h2>
        <code className="channel">{channel}</code>
        <span className="connection" data-connection={connectionStatus}>
          <span className="dot" aria-hidden="true" />
          {connectionStatus}
        </span>
      </header>
      <ProgressBar {...progress} />
      {children}
      <div className="controls">
        <label>
          level
          <select
            aria-label="lowest level"
            value={controls.level}
            onChange={(event) => controls.setLevel(event.target.value as LogLevel)}
          >
            {LOG_LEVELS.map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          aria-label="search"
          placeholder="search…"
          value={controls.search}
          onChange={(event) => controls.setSearch(event.target.value)}
        />
        <button type="button" onClick={() => setFrozen(frozen === undefined ? logs : undefined)}>
          {frozen === undefined ? 'pause' : `resume${behind > 0 ? ` (${behind} new)` : ''}`}
        </button>
        <button
          type="button"
          onClick={() => {
            setFrozen(undefined);
            onClear();
          }}
        >
          clear
        </button>
        <span className="count">{shown.length} rows</span>
      </div>
      <LogList logs={shown} search={controls.search} />
    </section>
  );
}

/** Entries of `logs` after `last`, counted from the end (only the new ones are walked). */
function countNewer(logs: readonly LogEntry[], last: LogEntry | undefined): number {
  let count = 0;
  for (let i = logs.length - 1; i >= 0 && logs[i] !== last; i--) count++;
  return count;
}
