import type { LogEntry } from '@logs-sse/protocol';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  type KeyboardEvent,
  type MouseEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { countNewer, droppedFromFront } from './countNewer';
import { lineCount } from './entryText';
import { LogRow, type RowLook, rowLines } from './LogRow';
import { RowHeights } from './rowHeights';

const byIndex = (index: number) => index;

/** How close to the bottom, in pixels, still counts as at the bottom. */
const BOTTOM_SLACK = 4;

export interface Reveal {
  index: number;
  /** A new number asks again for the same index. */
  seq: number;
}

interface LogListProps {
  entries: readonly LogEntry[];
  look: RowLook;
  lineHeight: number;
  expanded: ReadonlySet<string>;
  onToggle: (id: string) => void;
  selectedId: string | undefined;
  onSelect: (id: string | undefined) => void;
  /** The current search match: the row that holds it and which of its matches it is. */
  current: { row: number; nth: number } | undefined;
  reveal: Reveal | undefined;
  label: string;
  idPrefix: string;
}

interface FollowState {
  follow: boolean;
  /** Newest cursor shown when following stopped: what is newer counts as new. */
  seen: string | undefined;
}

/**
 * The rows, virtualised (only those in view and a few around them are in the DOM), following the
 * newest entry until the reader scrolls up. Rows that do not wrap have heights known from their
 * message, so nothing is measured; wrapped rows are measured as they render.
 */
export function LogList(props: LogListProps) {
  const { entries, look, lineHeight, expanded, onToggle, selectedId, onSelect, current, reveal } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const lastTop = useRef(0);
  const previous = useRef(entries);
  const [{ follow, seen }, setFollowState] = useState<FollowState>({ follow: true, seen: undefined });
  const [mounted, setMounted] = useState(false);
  const focusIndex = useRef<number | undefined>(undefined);
  useEffect(() => setMounted(true), []);

  const heightOf = useCallback(
    (entry: LogEntry) =>
      (lineCount(entry) <= look.collapseAfter
        ? lineCount(entry)
        : rowLines(entry, look, expanded.has(entry.id))) * lineHeight,
    [look, expanded, lineHeight],
  );
  // The virtualizer goes over every row's key and size after each batch. Rows that do not wrap are
  // never measured, so they are keyed by index, which costs nothing to look up: at 100,000 rows, keys by
  // cursor made that pass the longest task of a batch. Measured (wrapped) rows keep their size by cursor.
  const keyOf = useCallback((index: number) => entries[index]?.id ?? index, [entries]);
  const [rowHeights] = useState(() => new RowHeights());
  const heights = useMemo(() => rowHeights.update(entries, heightOf), [rowHeights, entries, heightOf]);
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: (index) => heights[index]!,
    getItemKey: look.wrap ? keyOf : byIndex,
    overscan: 6,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: heights follow from these, not from the virtualizer.
  useLayoutEffect(() => virtualizer.measure(), [heightOf, look.wrap]);

  const stopFollowing = useCallback(() => {
    setFollowState((state) => (state.follow ? { follow: false, seen: entries.at(-1)?.id } : state));
  }, [entries]);

  const totalSize = virtualizer.getTotalSize();
  // After each batch: stay at the bottom while following; otherwise keep the rows in view where they
  // are when the oldest entries make way for new ones.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new total height (a row measured) also calls for it.
  useLayoutEffect(() => {
    const element = scroller.current;
    const before = previous.current;
    previous.current = entries;
    if (element === null) return;
    if (follow) {
      element.scrollTop = element.scrollHeight;
    } else if (before !== entries) {
      const dropped = droppedFromFront(before, entries) ?? 0;
      let height = 0;
      for (let i = 0; i < dropped; i++) height += heightOf(before[i]!);
      if (height > 0) element.scrollTop -= height;
    }
    lastTop.current = element.scrollTop;
  }, [follow, entries, totalSize, heightOf]);

  const onScroll = () => {
    const element = scroller.current;
    if (element === null) return;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= BOTTOM_SLACK;
    // Only a move up is the reader's: following only ever scrolls down.
    if (atBottom) {
      if (!follow) setFollowState({ follow: true, seen: undefined });
    } else if (element.scrollTop < lastTop.current - 1) {
      stopFollowing();
    }
    lastTop.current = element.scrollTop;
  };

  const jumpToLatest = () => {
    setFollowState({ follow: true, seen: undefined });
    scroller.current?.focus({ preventScroll: true });
  };

  const moveTo = (index: number) => {
    const target = Math.max(0, Math.min(entries.length - 1, index));
    if (target === entries.length - 1) setFollowState({ follow: true, seen: undefined });
    else stopFollowing();
    focusIndex.current = target;
    virtualizer.scrollToIndex(target, { align: 'auto' });
    focusRow(target);
  };

  const focusRow = (index: number) => {
    const row = scroller.current?.querySelector<HTMLElement>(`[data-index="${index}"]`);
    if (row) {
      row.focus({ preventScroll: true });
      focusIndex.current = undefined;
    }
  };
  // A row moved to with the keyboard may render only after the scroll: focus it once it is there.
  useEffect(() => {
    if (focusIndex.current !== undefined) focusRow(focusIndex.current);
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new request is a new `seq`, not new entries.
  useEffect(() => {
    if (reveal === undefined) return;
    setFollowState((state) => (state.follow ? { follow: false, seen: entries.at(-1)?.id } : state));
    virtualizer.scrollToIndex(reveal.index, { align: 'center' });
  }, [reveal?.seq]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const active = document.activeElement as HTMLElement | null;
    const focused = active?.dataset.index === undefined ? undefined : Number(active.dataset.index);
    const items = virtualizer.getVirtualItems();
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 0) / lineHeight) - 1);
    const from = focused ?? (event.key === 'ArrowUp' ? items.at(-1)?.index : items[0]?.index) ?? 0;
    const step: Record<string, number | undefined> = {
      ArrowDown: focused === undefined ? from : from + 1,
      ArrowUp: focused === undefined ? from : from - 1,
      PageDown: from + page,
      PageUp: from - page,
      Home: 0,
      End: entries.length - 1,
    };
    const target = step[event.key];
    if (target !== undefined && entries.length > 0) {
      event.preventDefault();
      moveTo(target);
    } else if (event.key === 'Enter' && focused !== undefined) {
      event.preventDefault();
      const id = entries[focused]?.id;
      onSelect(id === selectedId ? undefined : id);
    } else if (event.key === 'Escape' && selectedId !== undefined) {
      onSelect(undefined);
    }
  };

  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const row = (event.target as HTMLElement).closest<HTMLElement>('[data-log-id]');
    const id = row?.dataset.logId;
    if (id === undefined) return;
    // Selecting text in a row is not a click on it.
    if (window.getSelection()?.isCollapsed === false) return;
    onSelect(id === selectedId ? undefined : id);
  };

  const items = mounted ? virtualizer.getVirtualItems() : [];
  const newCount = follow ? 0 : countNewer(entries, seen);
  return (
    <div className="lv-body">
      <div
        ref={scroller}
        className="lv-scroller"
        role="log"
        aria-live="off"
        aria-label={props.label}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the log is a scrolling region the keyboard moves through.
        tabIndex={0}
        data-follow={follow}
        data-wrap={look.wrap || undefined}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        onClick={onClick}
      >
        <div className="lv-inner" style={{ height: totalSize }}>
          <div className="lv-window" style={{ transform: `translateY(${items[0]?.start ?? 0}px)` }}>
            {items.map((item) => {
              const entry = entries[item.index]!;
              const isExpanded = expanded.has(entry.id);
              return (
                <LogRow
                  key={entry.id}
                  entry={entry}
                  index={item.index}
                  look={look}
                  expanded={isExpanded}
                  selected={entry.id === selectedId}
                  currentMatch={current?.row === item.index ? current.nth : -1}
                  height={look.wrap ? undefined : heightOf(entry)}
                  rowId={`${props.idPrefix}-${entry.id}`}
                  onToggle={onToggle}
                  measure={look.wrap ? virtualizer.measureElement : undefined}
                />
              );
            })}
          </div>
        </div>
        {entries.length === 0 && <p className="lv-empty">No logs yet.</p>}
      </div>
      {!follow && (
        <button type="button" className="lv-latest" onClick={jumpToLatest}>
          {newCount > 0 ? `Jump to latest (${newCount} new)` : 'Jump to latest'}
        </button>
      )}
    </div>
  );
}
