/**
 * Bounded FIFO; pushing onto a full ring hands back the oldest item it pushed out. Its storage grows by
 * doubling up to `capacity`, so that thousands of channels holding a few entries each cost a few
 * entries' worth of memory, not `capacity` slots each.
 */
export class EvictingRing<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  /** Adds `item`; returns the item evicted to make room, if any. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      if (this.count === this.items.length) this.grow();
      this.items[(this.head + this.count) % this.items.length] = item;
      this.count++;
      return undefined;
    }
    const evicted = this.items[this.head];
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.items.length;
    return evicted;
  }

  private grow(): void {
    const next: (T | undefined)[] = new Array(Math.min(this.capacity, Math.max(4, this.items.length * 2)));
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  /** The item at `index`, 0 being the oldest. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.items[(this.head + index) % this.items.length];
  }

  /** First index whose item is not "before" the probe, by binary search over an ordered ring. */
  lowerBound(isBefore: (item: T) => boolean): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (isBefore(this.at(mid)!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
