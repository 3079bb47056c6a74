import type { LogEntry } from '@logs-sse/protocol';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { LogRow } from './LogRow';

interface LogListProps {
  logs: readonly LogEntry[];
  search: string;
}

const ROW_HEIGHT = 20;
/** How close to the bottom (in pixels) still counts as "at the bottom". */
const BOTTOM_SLACK = 8;

/**
 * The rows of a panel, virtualised: only the rows in view (and a few around them) are in the DOM, so a
 * panel of 10,000 entries renders as fast as one of 30. Follows new entries while the reader is at the
 * bottom; scrolling up stops that until the reader scrolls back down or clicks "latest".
 */
export function LogList({ logs, search }: LogListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const lastTop = useRef(0);
  const [follow, setFollow] = useState(true);
  const virtualizer = useVirtualizer({
    count: logs.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => logs[index]?.id ?? index,
    overscan: 10,
  });
  const totalSize = virtualizer.getTotalSize();

  // Re-run when rows are measured too (a stack trace is taller than estimated), to stay at the bottom.
  // biome-ignore lint/correctness/useExhaustiveDependencies: logs and totalSize are the triggers.
  useEffect(() => {
    const element = scroller.current;
    if (!follow || element === null) return;
    element.scrollTop = element.scrollHeight;
    lastTop.current = element.scrollTop;
  }, [follow, logs, totalSize]);

  const onScroll = () => {
    const element = scroller.current;
    if (element === null) return;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= BOTTOM_SLACK;
    // Only a move up is the reader's: following new rows only ever scrolls down.
    if (atBottom) setFollow(true);
    else if (element.scrollTop < lastTop.current) setFollow(false);
    lastTop.current = element.scrollTop;
  };

  return (
    <div className="list-wrap">
      <div className="list" ref={scroller} onScroll={onScroll} data-follow={follow}>
        <div className="list-inner" style={{ height: totalSize }}>
          {virtualizer.getVirtualItems().map((item) => {
            const entry = logs[item.index]!;
            return (
              <div
                key={item.key}
                ref={virtualizer.measureElement}
                data-index={item.index}
                data-log-id={entry.id}
                data-level={entry.level}
                className={`row level-${entry.level}`}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <LogRow entry={entry} search={search} />
              </div>
            );
          })}
        </div>
        {logs.length === 0 && <p className="empty">No logs yet.</p>}
      </div>
      {!follow && (
        <button type="button" className="latest" onClick={() => setFollow(true)}>
          ↓ latest
        </button>
      )}
    </div>
  );
}
