import type { ServerResponse } from 'node:http';
import { type Cursor, compareCursors } from '@logs-sse/protocol';
import type { LogStore, StoreQuery, StoreReadResult } from '../store/store';

/**
 * Entries one page of a long read holds. A page is read, written and let go before the next is read, and
 * the event loop turns between pages, so one request costs a page of memory and a page of work at a time
 * whatever the patterns match.
 */
export const READ_PAGE_ENTRIES = 1000;

/**
 * Reads `query` page by page, oldest first, up to `query.upTo`. Each page after the first starts after
 * the last entry of the one before; gaps are those of the first page, measured from `query.after`.
 */
export async function* readPages(
  store: LogStore,
  query: Omit<StoreQuery, 'limit' | 'newest'>,
): AsyncGenerator<StoreReadResult> {
  let after = query.after;
  for (let first = true; ; first = false) {
    if (!first) await nextTurn();
    const page = await store.read({ ...query, after, limit: READ_PAGE_ENTRIES });
    if (!first) page.gaps = [];
    yield page;
    const last = page.entries.at(-1);
    if (!page.more || last === undefined) return;
    after = last.id;
  }
}

/** Lets the event loop serve other requests (and `/health`) between two pages of one read. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The later of two cursors, either of which may be missing. */
export function laterCursor(a: Cursor | null | undefined, b: Cursor | null | undefined): Cursor | null {
  if (a == null) return b ?? null;
  if (b == null) return a;
  return compareCursors(a, b) >= 0 ? a : b;
}

/**
 * Answers being written that are not live streams: `/history`, `follow=false` replays and long polls
 * (also while they wait). They count in
 * the stats and metrics like streams do, so a reader that does not read shows up.
 */
export class OpenAnswers {
  private readonly open = new Set<ServerResponse>();
  /** Answers cut off because their reader stopped reading. */
  stalled = 0;

  get size(): number {
    return this.open.size;
  }

  /** Counts `res` from now until it closes. */
  track(res: ServerResponse): void {
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
  }

  /** Bytes the answers hold unsent in their sockets' buffers. */
  bufferedBytes(): number {
    let total = 0;
    for (const res of this.open) total += res.writableLength;
    return total;
  }
}
