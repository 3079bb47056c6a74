import type { LogStore, StoredEntry } from '../store/store';
import type { Subscriber } from './subscriber';
import { SubscriptionIndex } from './subscriptionIndex';

/** One long poll that may wait for an entry. */
export interface PollWaiter {
  readonly sub: Subscriber;
  /** An entry the poll accepts was stored since it last asked. */
  woken: boolean;
  /** Ends the wait in progress, if there is one. */
  settle: ((woken: boolean) => void) | undefined;
}

/**
 * Long polls (`/api/logs/poll`) waiting for their first entry. A poll joins before it reads the store, so
 * that an entry stored between its read and its wait still wakes it, and waits on the store's own
 * subscription (entries of every gateway, with a shared store), never on a timer that reads again.
 *
 * The store is listened to only while a poll is joined: a gateway whose clients all stream pays nothing.
 */
export class PollWaiters {
  private readonly index = new SubscriptionIndex<PollWaiter>();
  private readonly waiters = new Set<PollWaiter>();
  private readonly matched: Set<PollWaiter>[] = [];
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(private readonly store: LogStore) {}

  /** Polls joined now. */
  get size(): number {
    return this.waiters.size;
  }

  join(sub: Subscriber): PollWaiter {
    const waiter: PollWaiter = { sub, woken: false, settle: undefined };
    this.waiters.add(waiter);
    for (const pattern of sub.patterns) this.index.add(pattern, waiter);
    this.unsubscribe ??= this.store.subscribe((entries) => this.deliver(entries));
    return waiter;
  }

  leave(waiter: PollWaiter): void {
    if (!this.waiters.delete(waiter)) return;
    for (const pattern of waiter.sub.patterns) this.index.delete(pattern, waiter);
    waiter.settle?.(false);
    if (this.waiters.size > 0) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /**
   * Resolves `true` once an entry the poll accepts has been stored since the last call (at once if one
   * was), `false` after `ms`, when the poll leaves or when the gateway shuts down.
   */
  next(waiter: PollWaiter, ms: number): Promise<boolean> {
    if (waiter.woken) {
      waiter.woken = false;
      return Promise.resolve(true);
    }
    if (this.closed || ms <= 0 || !this.waiters.has(waiter)) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.settle?.(false), ms);
      timer.unref();
      waiter.settle = (woken) => {
        clearTimeout(timer);
        waiter.settle = undefined;
        waiter.woken = false;
        resolve(woken);
      };
    });
  }

  /** Ends every wait: the polls answer with what they have. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) this.leave(waiter);
  }

  private deliver(entries: readonly StoredEntry[]): void {
    const matched = this.matched;
    let channel: string | undefined;
    let count = 0;
    for (const entry of entries) {
      if (entry.channel !== channel) {
        channel = entry.channel;
        count = this.index.match(channel, matched);
      }
      for (let i = 0; i < count; i++) {
        for (const waiter of matched[i]!) {
          if (waiter.woken || !waiter.sub.accepts(entry)) continue;
          waiter.woken = true;
          waiter.settle?.(true);
        }
      }
    }
    matched.length = 0;
  }
}
