import type { PublisherTimers } from './options';

interface Waiter {
  /** Resolved once every entry numbered below this has been sent or dropped. */
  target: number;
  resolve: (done: boolean) => void;
}

/** The promises `flush()` handed out, each waiting for the entries numbered below its target. */
export class FlushWaiters {
  private waiters: Waiter[] = [];
  private hold: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly timers: PublisherTimers) {}

  /** Resolves `true` once {@link settle} reports `target` reached, `false` when `timeoutMs` passes first. */
  wait(target: number, timeoutMs: number | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = { target, resolve };
      this.waiters.push(waiter);
      // The publisher's own timers are unref'd. A caller awaiting a flush (close() does) expects the
      // process to stay up for it, so one ref'd timer holds it open while any flush is pending.
      this.hold ??= setInterval(noop, 1 << 30);
      if (timeoutMs === undefined) return;
      const { timers } = this;
      const timer = timers.setTimeout(() => this.finish(waiter, false), timeoutMs);
      waiter.resolve = (done) => {
        timers.clearTimeout(timer);
        resolve(done);
      };
    });
  }

  /** Every entry numbered below `settledBelow` is sent or dropped. */
  settle(settledBelow: number): void {
    if (this.waiters.length === 0) return;
    for (const waiter of this.waiters.filter((w) => w.target <= settledBelow)) this.finish(waiter, true);
  }

  /** Everything is settled for good (the publisher stopped). */
  settleAll(): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve(true);
    this.release();
  }

  private finish(waiter: Waiter, done: boolean): void {
    const index = this.waiters.indexOf(waiter);
    if (index === -1) return;
    this.waiters.splice(index, 1);
    waiter.resolve(done);
    if (this.waiters.length === 0) this.release();
  }

  private release(): void {
    if (this.hold !== undefined) clearInterval(this.hold);
    this.hold = undefined;
  }
}

function noop(): void {}
