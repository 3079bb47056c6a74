import type { Cursor, EntryType, GapEvent, NormalizedEntry } from '@logs-sse/protocol';
import type { ChannelPattern } from '../patterns';

/** An entry as kept and sent: serialised once when it is stored, shared by every reader. */
export interface StoredEntry {
  readonly id: Cursor;
  readonly type: EntryType;
  readonly channel: string;
  /** The `data` of the SSE event and an item of `/history`: one-line JSON with `id` and `type` first. */
  readonly json: string;
  /** The whole SSE frame (`id:`, `event:`, `data:`), encoded once for every subscriber. */
  readonly frame: Buffer;
  /** Rank of the level for log entries (see `levelRank`); -1 for status and done. */
  readonly levelRank: number;
  /** Message text for `q` searches; empty when the entry has none. */
  readonly message: string;
  /** Gateway clock when stored, in milliseconds. */
  readonly storedAt: number;
}

/** Which entries a reader wants: patterns of channels, and entries after a cursor or the last N. */
export interface StoreQuery {
  patterns: readonly ChannelPattern[];
  /** Only entries newer than this cursor; `null` for all kept entries. */
  after: Cursor | null;
  /** At most this many of the newest entries per channel (counted from `upTo` when given). */
  tail?: number;
  /** Only entries at or before this cursor; absent for every kept entry up to the newest. */
  upTo?: Cursor;
  /**
   * At most this many entries in all, the oldest of those the rest of the query selects (the newest with
   * `newest`). Readers page through a large history with it, so that no read holds or sorts more than a
   * page whatever the patterns match. Absent for no limit.
   */
  limit?: number;
  /** With `limit`: keep the newest entries instead of the oldest. Entries still come oldest first. */
  newest?: boolean;
}

export interface StoreReadResult {
  /** Entries of every matching channel, oldest first, in cursor order. */
  entries: StoredEntry[];
  /** Channels whose entries after `after` were partly evicted (only when `after` is a cursor). */
  gaps: GapEvent[];
  /** Whether `limit` left out entries that the query otherwise selects. */
  more: boolean;
  /**
   * With `limit`: how many entries it left out, per channel, when the store can tell (exactly in memory;
   * on Redis at least this many).
   */
  cut?: Map<string, number>;
}

/** What a publish with an `Idempotency-Key` asks of the store besides the append. */
export interface AppendOnce {
  /** The key's scope and value, hashed: who sent it (the token's identity) and the key. */
  readonly scope: string;
  /** Hash of the request's body (and its media type): a repeat must carry the same. */
  readonly fingerprint: string;
  /** The answer to record with the entries, replayed to every repeat. */
  readonly answer: RecordedAnswer;
  /** How long the record is kept, in milliseconds. */
  readonly windowMs: number;
}

/** An answer as recorded for replay: its status and its JSON body as sent. */
export interface RecordedAnswer {
  readonly status: number;
  readonly body: string;
}

export type AppendOnceResult =
  | { readonly stored: StoredEntry[] }
  | { readonly replay: RecordedAnswer; readonly fingerprint: string };

/**
 * A history's epoch is the cursor it began after: every entry it holds is newer. A gateway whose memory
 * restarted, or a Redis history that was flushed, begins a new epoch; a resume cursor older than the
 * epoch was handed out by a history that is gone, and its reader gets a `gap` with reason `reset`.
 */
export type HistoryEpoch = Cursor;

/** Called with each batch of newly stored entries, in cursor order. */
export type StoreListener = (entries: readonly StoredEntry[]) => void;

export interface StoreStats {
  channels: number;
  entries: number;
  bytes: number;
  evicted: number;
}

/**
 * Where entries live. The in-memory store is the first implementation; a Redis store (streams per
 * channel, cursors as stream ids) implements the same contract for several gateways.
 */
export interface LogStore {
  /** Stores entries; resolves with them as stored, ids assigned in order. Rejects when unavailable. */
  append(entries: readonly NormalizedEntry[]): Promise<StoredEntry[]>;
  read(query: StoreQuery): Promise<StoreReadResult>;
  /** Receives every stored entry, also those stored by other gateways; returns the unsubscribe. */
  subscribe(listener: StoreListener): () => void;
  /**
   * The newest cursor stored so far, as far as this gateway knows (an older one is safe: a client that
   * resumes from it gets entries it would otherwise have missed, and drops repeats by cursor).
   */
  newestCursor(): Cursor | null;
  /**
   * Resolves once this gateway's listeners have received every entry stored before the call (waiting a
   * bounded time at most), so that `newestCursor()` then covers every acknowledged write. Optional: a
   * store that calls its listeners as it appends has nothing to wait for; one whose live feed lags (or
   * is read once per window) must say so here. Never rejects.
   */
  caughtUp?(): Promise<void>;
  /** Whether the store can take writes now. */
  isReady(): boolean;
  /**
   * Stores entries unless a publish with the same idempotency key was stored within the window: then
   * stores nothing and resolves with what was recorded for it. The check and the record are one atomic
   * step with the append. Optional: without it the gateway keeps the records in its own memory.
   */
  appendOnce?(entries: readonly NormalizedEntry[], once: AppendOnce): Promise<AppendOnceResult>;
  /**
   * The cursor this history began after (see {@link HistoryEpoch}); `null` while the store knows none.
   * Optional: a store without it reports no resets.
   */
  epoch?(): Cursor | null;
  /**
   * The newest `status` and the newest `done` entry at or before `upTo` of each channel the patterns
   * match, as long as the channel has history; oldest first, at most `limit` entries. Optional: without
   * it new streams get no current state.
   */
  latestState?(patterns: readonly ChannelPattern[], upTo: Cursor, limit: number): Promise<StoredEntry[]>;
  stats(): StoreStats;
  close(): Promise<void>;
}
