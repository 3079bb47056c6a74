import type { Subscriber } from './subscriber';

export interface FlushScheduleOptions {
  /** A stream written less than this many milliseconds ago waits until then; `0` flushes every turn. */
  windowMs: number;
  /** A waiting stream whose queued bytes reach this is flushed on the next turn, window or not. */
  flushAtBytes: number;
  /** Most streams written in one turn; the rest are written on the turns that follow, in order. */
  writesPerTurn: number;
  /** Monotonic milliseconds. */
  now: () => number;
  /** Writes what each stream queued and stamps its `lastWriteAt` with `now`. */
  write: (subs: Set<Subscriber>, now: number) => void;
}

/**
 * Decides when a stream with queued frames is written. A stream that was quiet for a window goes out on
 * the next turn, as an unbuffered one would; a stream written less than a window ago waits until its last
 * write plus the window, so that under steady traffic one write carries several entries. At low rates the
 * cost is per write, not per byte (a syscall and a TCP segment), so fewer writes is what saves CPU.
 *
 * Streams flushed together share their write time, so those waiting are grouped by the time they are due:
 * 1,000 subscribers of one channel form one group, and one timer (for the earliest group) serves them all.
 *
 * A write costs tens of microseconds, so 10,000 streams due at once would hold the event loop for a
 * quarter of a second, answering nothing else. At most `writesPerTurn` are written per turn; the others
 * stay first in line for the next turn, and entries that come meanwhile join their write.
 */
export class FlushSchedule {
  /** Streams to write on the next turn. */
  private readonly soon = new Set<Subscriber>();
  /** Streams waiting for their window to pass, by the time they are due. */
  private readonly waiting = new Map<number, Set<Subscriber>>();
  private immediate = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly options: FlushScheduleOptions) {}

  /** `sub` has frames queued and was not scheduled yet; `now` is read once by the caller for many streams. */
  add(sub: Subscriber, now: number): void {
    const due = sub.lastWriteAt + this.options.windowMs;
    if (due <= now || sub.pendingBytes >= this.options.flushAtBytes) {
      this.writeSoon(sub);
      return;
    }
    let group = this.waiting.get(due);
    if (group === undefined) {
      group = new Set();
      this.waiting.set(due, group);
    }
    group.add(sub);
    sub.flushDue = due;
    if (due < this.timerAt) this.arm(due, now);
  }

  /** More was queued for a stream already scheduled: past the byte threshold it stops waiting. */
  grew(sub: Subscriber): void {
    if (sub.flushDue === 0 || sub.pendingBytes < this.options.flushAtBytes) return;
    this.unwait(sub);
    this.writeSoon(sub);
  }

  /** Forgets a stream that is gone. */
  delete(sub: Subscriber): void {
    this.soon.delete(sub);
    this.unwait(sub);
  }

  /** Writes everything queued now, windows or not (on shutdown). */
  flushAll(): void {
    for (const group of this.waiting.values()) for (const sub of group) this.moveSoon(sub);
    this.waiting.clear();
    this.disarm();
    this.writeNow(Number.POSITIVE_INFINITY);
  }

  private writeSoon(sub: Subscriber): void {
    this.soon.add(sub);
    if (!this.immediate) {
      this.immediate = true;
      setImmediate(this.flushSoon);
    }
  }

  private moveSoon(sub: Subscriber): void {
    sub.flushDue = 0;
    this.soon.add(sub);
  }

  private unwait(sub: Subscriber): void {
    const due = sub.flushDue;
    if (due === 0) return;
    sub.flushDue = 0;
    const group = this.waiting.get(due);
    if (group === undefined) return;
    group.delete(sub);
    if (group.size === 0) this.waiting.delete(due);
  }

  private readonly flushSoon = (): void => {
    this.immediate = false;
    this.writeNow();
  };

  private writeNow(limit = this.options.writesPerTurn): void {
    const soon = this.soon;
    if (soon.size === 0) return;
    if (soon.size <= limit) {
      this.options.write(soon, this.options.now());
      soon.clear();
      return;
    }
    // The first in line (a set keeps the order streams were added in), and the rest on the next turn.
    const batch = new Set<Subscriber>();
    for (const sub of soon) {
      batch.add(sub);
      soon.delete(sub);
      if (batch.size === limit) break;
    }
    this.options.write(batch, this.options.now());
    if (!this.immediate) {
      this.immediate = true;
      setImmediate(this.flushSoon);
    }
  }

  private arm(at: number, now: number): void {
    this.disarm();
    this.timerAt = at;
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(at - now)));
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private readonly onTimer = (): void => {
    // A timer may fire a fraction of a millisecond before the clock reaches its time: what it was set
    // for is due all the same, or it would be set again for no time at all.
    const now = this.options.now();
    const limit = Math.max(now, this.timerAt);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    for (const [due, group] of this.waiting) {
      if (due > limit) {
        if (due < next) next = due;
        continue;
      }
      for (const sub of group) this.moveSoon(sub);
      this.waiting.delete(due);
    }
    this.writeNow();
    if (next !== Number.POSITIVE_INFINITY) this.arm(next, now);
  };
}
