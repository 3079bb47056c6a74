import type { LogEntry, LogLevel } from '@logs-sse/protocol';
import {
  type CSSProperties,
  type KeyboardEvent,
  useCallback,
  useDeferredValue,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import { copyText, downloadText, linkedEntry, linkToEntry } from './browser';
import { countNewer } from './countNewer';
import { EntryDetails } from './EntryDetails';
import { endOfLine, lineCount, plainMessage } from './entryText';
import { filterEntries } from './filter';
import { formatLogLine, type TimeMode, toLogFile, toNdjson } from './format';
import { LogList, type Reveal } from './LogList';
import type { RowLook } from './LogRow';
import { type LogViewProps, resolveOptions } from './options';
import { StatusHeader } from './StatusHeader';
import { findMatches, indexMatches, locateMatch, matchCount, searchPattern } from './search';
import { Toolbar } from './Toolbar';
import { useAnnouncer } from './useAnnouncer';
import { useManyChannels } from './useManyChannels';

const NO_IDS: ReadonlySet<string> = new Set();

/**
 * A log panel: a header with the connection and the resource's status, the reader's controls, and
 * the entries, virtualised, following the newest until the reader scrolls up.
 *
 * @example
 * import { LogView } from '@logs-sse/log-view';
 * import '@logs-sse/log-view/styles.css';
 *
 * function BuildLogs({ buildId }: { buildId: string }) {
 *   const logs = useLogsSSE({ service: 'ci', workspace_id: 'acme', resource_id: buildId });
 *   return <LogView {...logs} title={`Build ${buildId}`} />;
 * }
 */
export function LogView(props: LogViewProps) {
  const options = resolveOptions(props);
  const { logs, channel } = props;
  const idPrefix = useId();
  const searchRef = useRef<HTMLInputElement>(null);
  const [level, setLevel] = useState<LogLevel>(options.defaultLevel);
  const [query, setQuery] = useState('');
  const [onlyMatches, setOnlyMatches] = useState(false);
  const [wrap, setWrap] = useState(options.defaultWrap);
  const [time, setTime] = useState<TimeMode>(options.defaultTime);
  const [fields, setFields] = useState(options.defaultFields);
  const [frozen, setFrozen] = useState<readonly LogEntry[]>();
  const [expanded, setExpanded] = useState(NO_IDS);
  const [selectedId, setSelectedId] = useState<string>();
  const [currentMatch, setCurrentMatch] = useState(-1);
  const [reveal, setReveal] = useState<Reveal>();

  // Typing stays responsive over 100,000 entries: the search runs at the pace React can afford.
  const searched = useDeferredValue(query);
  const pattern = useMemo(() => searchPattern(searched), [searched]);
  // Each entry's match count, for this pattern: a new batch costs only its new entries.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new pattern needs a new cache.
  const counts = useMemo(() => new WeakMap<LogEntry, number>(), [pattern]);
  const source = frozen ?? logs;
  const shown = useMemo(
    () =>
      filterEntries(source, {
        level,
        keep: onlyMatches && pattern ? (entry) => matchCount(entry, pattern, counts) > 0 : undefined,
      }),
    [source, level, onlyMatches, pattern, counts],
  );
  const matches = useMemo(() => indexMatches(shown, pattern, counts), [shown, pattern, counts]);
  const current = locateMatch(matches, currentMatch);

  const manyChannels = useManyChannels(source);
  const look = useMemo<RowLook>(
    () => ({
      time,
      fields,
      wrap,
      pattern,
      collapseAfter: options.collapseAfter,
      channel: options.showChannel === 'auto' ? manyChannels : options.showChannel,
    }),
    [time, fields, wrap, pattern, options.collapseAfter, options.showChannel, manyChannels],
  );

  const { message, say } = useAnnouncer(shown, options.announceEveryMs, frozen === undefined);

  const toggleExpanded = useCallback((id: string) => {
    setExpanded((ids) => {
      const next = new Set(ids);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }, []);

  const revealIndex = (index: number) => setReveal((last) => ({ index, seq: (last?.seq ?? 0) + 1 }));

  const step = (by: 1 | -1) => {
    if (matches.total === 0 || pattern === undefined) return;
    const next =
      currentMatch < 0
        ? by === 1
          ? 0
          : matches.total - 1
        : (currentMatch + by + matches.total) % matches.total;
    setCurrentMatch(next);
    const at = locateMatch(matches, next);
    if (at === undefined) return;
    const entry = shown[at.row]!;
    // A match in the collapsed part of a message opens the message.
    const match = findMatches(plainMessage(entry), pattern)[at.nth];
    if (
      match !== undefined &&
      lineCount(entry) > options.collapseAfter &&
      match[0] >= endOfLine(entry, options.collapseAfter) &&
      !expanded.has(entry.id)
    ) {
      toggleExpanded(entry.id);
    }
    revealIndex(at.row);
  };

  // A page opened from a link to an entry shows that entry as soon as it is there.
  const [linked, setLinked] = useState(() => linkedEntry(options.linkParam));
  // biome-ignore lint/correctness/useExhaustiveDependencies: revealIndex only sets state.
  useEffect(() => {
    if (linked === undefined) return;
    const index = shown.findIndex((entry) => entry.id === linked);
    if (index === -1) return;
    setLinked(undefined);
    setSelectedId(linked);
    revealIndex(index);
  }, [linked, shown]);

  const selected = useMemo(
    () => (selectedId === undefined ? undefined : source.find((entry) => entry.id === selectedId)),
    [source, selectedId],
  );

  const copy = async (text: string, what: string) => {
    say((await copyText(text)) ? `Copied ${what}` : `Could not copy the ${what}`);
  };

  const download = (format: 'log' | 'ndjson') => {
    if (format === 'log') downloadText(`${options.fileName}.log`, toLogFile(shown), 'text/plain');
    else downloadText(`${options.fileName}.ndjson`, toNdjson(shown), 'application/x-ndjson');
    say(`Downloading ${shown.length} entries`);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    const target = event.target as HTMLElement;
    if (event.key === '/' && !/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
      event.preventDefault();
      searchRef.current?.focus();
    }
  };

  const titleText = typeof props.title === 'string' ? props.title : undefined;
  const style = { '--lv-line-height': `${options.lineHeight}px`, ...props.style } as CSSProperties;
  return (
    <section
      className={props.className === undefined ? 'lv' : `lv ${props.className}`}
      data-channel={channel}
      data-count={shown.length}
      data-theme={options.theme}
      style={style}
      aria-label={props.label ?? titleText ?? 'Logs'}
      onKeyDown={onKeyDown}
    >
      <StatusHeader
        title={props.title}
        channel={channel}
        connectionStatus={props.connectionStatus}
        error={props.error}
        showStatus={props.status !== undefined || props.done === true}
        status={props.status}
        done={props.done ?? false}
      />
      {props.children}
      <Toolbar
        level={level}
        onLevel={setLevel}
        query={query}
        onQuery={(next) => {
          setQuery(next);
          setCurrentMatch(-1);
        }}
        searchRef={searchRef}
        matches={matches.total}
        currentMatch={current === undefined ? -1 : currentMatch}
        onStep={step}
        onlyMatches={onlyMatches}
        onOnlyMatches={setOnlyMatches}
        wrap={wrap}
        onWrap={setWrap}
        time={time}
        onTime={setTime}
        fields={fields}
        onFields={setFields}
        paused={frozen !== undefined}
        behind={frozen === undefined ? 0 : countNewer(logs, frozen.at(-1)?.id)}
        onPause={() => setFrozen(frozen === undefined ? logs : undefined)}
        onClear={
          props.clear &&
          (() => {
            setFrozen(undefined);
            setSelectedId(undefined);
            props.clear?.();
          })
        }
        onDownload={download}
        shown={shown.length}
      />
      <LogList
        entries={shown}
        look={look}
        lineHeight={options.lineHeight}
        expanded={expanded}
        onToggle={toggleExpanded}
        selectedId={selectedId}
        onSelect={setSelectedId}
        current={current}
        reveal={reveal}
        label={props.label ?? titleText ?? 'Logs'}
        idPrefix={idPrefix}
      />
      {selected && (
        <EntryDetails
          entry={selected}
          onCopyLine={() => copy(formatLogLine(selected), 'line')}
          onCopyLink={() => copy(linkToEntry(selected.id, options.linkParam), 'link')}
          onClose={() => setSelectedId(undefined)}
        />
      )}
      <div className="lv-announcer" role="status" aria-live="polite" aria-atomic="true">
        {message}
      </div>
    </section>
  );
}
