import type { PublisherTimers } from '../../src/index';

interface Pending {
  id: number;
  due: number;
  ms: number;
  callback: () => void;
}

/** Timers that only move when the test says so, plus the clock they share. */
export class ManualTimers implements PublisherTimers {
  time = 1_700_000_000_000;
  private nextId = 1;
  private pending: Pending[] = [];

  readonly now = () => this.time;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.push({ id, due: this.time + ms, ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  /** Delays of the timers still waiting, as they were asked for. */
  get delays(): number[] {
    return this.pending.map((p) => p.ms);
  }

  /** Moves the clock on by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.pending.filter((p) => p.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.time = next.due;
      next.callback();
    }
    this.time = end;
  }
}

/** Lets pending I/O callbacks and promise continuations run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves once `predicate` holds, checking after each turn of the event loop. */
export async function eventually(predicate: () => boolean, turns = 100_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (predicate()) return;
    await turn();
  }
  throw new Error('condition never held');
}
