import { type Cursor, compareCursors, cursorTime } from '@logs-sse/protocol';
import type { Redis } from 'ioredis';
import type { GatewayLogger } from '../../logger';
import type { StoredEntry } from '../store';
import { entryFromFields, parseStreamInfo, type RawStreamEntry } from './redisEntry';
import type { RedisKeys } from './redisScript';

export interface RedisFeedOptions {
  /** A connection of its own: `XREAD BLOCK` holds it while waiting. */
  connection: Redis;
  keys: RedisKeys;
  blockMs: number;
  /** After a read that found entries, the next waits until this many milliseconds have passed; 0: none. */
  windowMs: number;
  /** Most entries taken from the feed per read. */
  batch: number;
  now: () => number;
  logger: GatewayLogger;
  deliver: (entries: StoredEntry[]) => void;
  /** Entries of every channel written in `(after, upTo]`, oldest first: for when the feed lost some. */
  catchUp: (after: Cursor, upTo: Cursor) => Promise<StoredEntry[]>;
}

interface Waiter {
  target: Cursor;
  resolve: () => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Live fan-out across gateways: every gateway reads the shared feed stream from the last id it delivered,
 * so each entry reaches each gateway once and in cursor order. A reconnect is a read from that same id;
 * when the feed was trimmed past it meanwhile, the missing entries are read from the channel streams.
 */
export class RedisFeed {
  /** Id of the last entry delivered to this gateway; `undefined` until the feed has found its start. */
  lastId: Cursor | undefined;
  lagMs = 0;
  errors = 0;
  catchUps = 0;
  private closed = false;
  private waiters: Waiter[] = [];
  private pause: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | undefined;
  /** The wait between two reads under steady traffic; a reader waiting for an id cuts it short. */
  private rest: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | undefined;
  private running: Promise<void> | undefined;
  private dropped = false;
  private markPositioned!: () => void;
  /** Resolves once the feed knows where to start reading (or when it is closed). */
  readonly positioned = new Promise<void>((resolve) => {
    this.markPositioned = resolve;
  });

  constructor(private readonly options: RedisFeedOptions) {}

  start(): void {
    if (this.running) return;
    // A connection lost and back between two reads (while the feed waits out its window) must still
    // be resynced: the feed may have been trimmed past this gateway meanwhile.
    this.options.connection.on('close', () => {
      this.dropped = true;
    });
    this.running = this.run();
  }

  /** Resolves once the feed has delivered `target`, or after `timeoutMs`. */
  waitFor(target: Cursor, timeoutMs: number): Promise<void> {
    if (this.lastId !== undefined && compareCursors(this.lastId, target) >= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = { target, resolve, timer: setTimeout(() => this.release(waiter), timeoutMs) };
      waiter.timer.unref?.();
      this.waiters.push(waiter);
      this.rest?.resolve();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.markPositioned();
    this.rest?.resolve();
    if (this.pause) {
      clearTimeout(this.pause.timer);
      this.pause.resolve();
    }
    for (const waiter of [...this.waiters]) this.release(waiter);
    this.options.connection.disconnect();
    await this.running;
  }

  private async run(): Promise<void> {
    const { connection, keys, blockMs, batch, windowMs } = this.options;
    let resync = true;
    // After a read that found entries, the next one waits for the window: under steady traffic one read
    // (one wake-up of this process and of Redis) brings every entry of the window rather than one per
    // publish. On a quiet feed the read is already waiting, and the first entry comes at once.
    let found = false;
    while (!this.closed) {
      try {
        // Before the connection is checked: a connection lost meanwhile must be noticed (and the feed
        // resynced), not have the read queued until it is back.
        if (found && windowMs > 0 && this.waiters.length === 0) {
          await this.restFor(windowMs);
          if (this.closed) break;
        }
        found = false;
        if (this.dropped) {
          this.dropped = false;
          resync = true;
        }
        if (connection.status !== 'ready') {
          await this.sleepUntilReady();
          continue;
        }
        if (this.lastId === undefined) {
          this.lastId = (await connection.get(keys.clock)) ?? '0-0';
          this.markPositioned();
          resync = false;
        } else if (resync) {
          await this.resync(this.lastId);
          resync = false;
        }
        const reply = (await connection.xread(
          'COUNT',
          batch,
          'BLOCK',
          blockMs,
          'STREAMS',
          keys.feed,
          this.lastId,
        )) as [string, RawStreamEntry[]][] | null;
        const raw = reply?.[0]?.[1];
        if (raw && raw.length > 0) {
          // A full batch means more is waiting: read on at once.
          found = raw.length < batch;
          this.take(raw);
          // A full batch means this gateway is behind: check the feed was not trimmed past it.
          if (raw.length >= batch) resync = true;
        }
      } catch (error) {
        if (this.closed) break;
        this.errors++;
        resync = true;
        this.options.logger.warn({ err: error }, 'redis feed read failed; resuming after reconnect');
        await this.sleepUntilReady(true);
      }
    }
  }

  /** After a reconnect or a long pause: were entries after `from` trimmed from the feed unread? */
  private async resync(from: Cursor): Promise<void> {
    const { connection, keys } = this.options;
    let info: ReturnType<typeof parseStreamInfo>;
    try {
      info = parseStreamInfo(await connection.xinfo('STREAM', keys.feed));
    } catch (error) {
      // No feed at all: Redis restarted empty, nothing after `from` can be recovered from it.
      if (error instanceof Error && /no such key/i.test(error.message)) return;
      throw error;
    }
    // The feed still holds everything after `from` unless it was trimmed and now starts after `from`.
    // (Trimmed entries may all be older than `from`; reading the channels then costs time, never entries.)
    const trimmed = info.entriesAdded > info.length;
    if (!trimmed || compareCursors(info.firstId, from) <= 0) return;
    const upTo = (await connection.get(keys.clock)) ?? from;
    const entries = await this.options.catchUp(from, upTo);
    this.catchUps++;
    this.options.logger.warn({ from, upTo, entries: entries.length }, 'redis feed caught up from channels');
    if (entries.length > 0) this.options.deliver(entries);
    if (compareCursors(upTo, from) > 0) this.advance(upTo);
  }

  private take(raw: RawStreamEntry[]): void {
    const now = this.options.now();
    const entries: StoredEntry[] = [];
    const last = this.lastId ?? '0-0';
    for (const item of raw) {
      if (compareCursors(item[0], last) <= 0) continue;
      const entry = entryFromFields(item, undefined, now);
      if (entry) entries.push(entry);
    }
    const newest = raw.at(-1)![0];
    if (compareCursors(newest, last) <= 0) return;
    this.lagMs = Math.max(0, now - cursorTime(newest));
    if (entries.length > 0) this.options.deliver(entries);
    this.advance(newest);
  }

  private advance(id: Cursor): void {
    this.lastId = id;
    if (this.waiters.length === 0) return;
    for (const waiter of [...this.waiters]) {
      if (compareCursors(id, waiter.target) >= 0) this.release(waiter);
    }
  }

  private release(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const index = this.waiters.indexOf(waiter);
    if (index !== -1) this.waiters.splice(index, 1);
    waiter.resolve();
  }

  private restFor(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.rest = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.rest = { timer, resolve: done };
    });
  }

  /** Waits for the connection's next `ready`; after an error on a ready connection, waits a second too. */
  private sleepUntilReady(afterError = false): Promise<void> {
    const { connection } = this.options;
    return new Promise((resolve) => {
      const done = () => {
        connection.off('ready', done);
        if (this.pause) clearTimeout(this.pause.timer);
        this.pause = undefined;
        resolve();
      };
      if (this.closed) return resolve();
      connection.on('ready', done);
      // Also wakes a loop whose connection is ready but whose command failed, without spinning on it.
      const timer = setTimeout(done, afterError || connection.status !== 'ready' ? 1000 : 0);
      timer.unref?.();
      this.pause = { timer, resolve: done };
    });
  }
}
