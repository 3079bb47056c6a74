import { LOG_LEVELS, type LogLevel } from '@logs-sse/protocol';
import type { RefObject } from 'react';
import type { TimeMode } from './format';

export interface ToolbarProps {
  level: LogLevel;
  onLevel: (level: LogLevel) => void;
  query: string;
  onQuery: (query: string) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  matches: number;
  /** The current match, 0-based, or -1 before the reader steps to one. */
  currentMatch: number;
  onStep: (by: 1 | -1) => void;
  onlyMatches: boolean;
  onOnlyMatches: (on: boolean) => void;
  wrap: boolean;
  onWrap: (on: boolean) => void;
  time: TimeMode;
  onTime: (mode: TimeMode) => void;
  fields: boolean;
  onFields: (on: boolean) => void;
  paused: boolean;
  behind: number;
  onPause: () => void;
  onClear: (() => void) | undefined;
  onDownload: (format: 'log' | 'ndjson') => void;
  shown: number;
}

/** The reader's controls: level, search, display toggles, pause, clear and downloads. */
export function Toolbar(props: ToolbarProps) {
  const { query, matches, currentMatch } = props;
  const matchText =
    query === ''
      ? ''
      : matches === 0
        ? 'no matches'
        : currentMatch < 0
          ? `${matches} ${matches === 1 ? 'match' : 'matches'}`
          : `${currentMatch + 1} of ${matches}`;
  return (
    <div className="lv-toolbar">
      <select
        aria-label="Lowest level"
        value={props.level}
        onChange={(event) => props.onLevel(event.target.value as LogLevel)}
      >
        {LOG_LEVELS.map((level) => (
          <option key={level} value={level}>
            {level === 'trace' ? 'all levels' : `${level} and up`}
          </option>
        ))}
      </select>
      <span className="lv-search">
        <input
          ref={props.searchRef}
          type="search"
          aria-label="Search"
          placeholder="Search…"
          value={query}
          onChange={(event) => props.onQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              props.onStep(event.shiftKey ? -1 : 1);
            }
          }}
        />
        <span className="lv-match-count">{matchText}</span>
        <button
          type="button"
          aria-label="Previous match"
          disabled={matches === 0}
          onClick={() => props.onStep(-1)}
        >
          ↑
        </button>
        <button
          type="button"
          aria-label="Next match"
          disabled={matches === 0}
          onClick={() => props.onStep(1)}
        >
          ↓
        </button>
      </span>
      <Toggle label="Only matches" on={props.onlyMatches} onChange={props.onOnlyMatches} />
      <Toggle label="Wrap" on={props.wrap} onChange={props.onWrap} />
      <Toggle label="Fields" on={props.fields} onChange={props.onFields} />
      <select
        aria-label="Time"
        value={props.time}
        onChange={(event) => props.onTime(event.target.value as TimeMode)}
      >
        <option value="local">local time</option>
        <option value="utc">UTC</option>
        <option value="off">no time</option>
      </select>
      <button type="button" aria-pressed={props.paused} onClick={props.onPause}>
        {props.paused ? `Resume${props.behind > 0 ? ` (${props.behind} new)` : ''}` : 'Pause'}
      </button>
      {props.onClear && (
        <button type="button" onClick={props.onClear}>
          Clear
        </button>
      )}
      <button type="button" aria-label="Download .log" onClick={() => props.onDownload('log')}>
        ⤓ .log
      </button>
      <button type="button" aria-label="Download .ndjson" onClick={() => props.onDownload('ndjson')}>
        ⤓ .ndjson
      </button>
      <span className="lv-count">{props.shown} rows</span>
    </div>
  );
}

function Toggle({ label, on, onChange }: { label: string; on: boolean; onChange: (on: boolean) => void }) {
  return (
    <button type="button" className="lv-toggle" aria-pressed={on} onClick={() => onChange(!on)}>
      {label}
    </button>
  );
}
