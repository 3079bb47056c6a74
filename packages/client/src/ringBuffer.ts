/**
 * A fixed-capacity queue that overwrites its oldest item when full. `push` is O(1); `snapshot` copies
 * once and hands out the same array until the next change, which is what `useSyncExternalStore` needs.
 */
export class RingBuffer<T> {
  /** Item `n` (counting every push from 0) sits at `n % capacity`. */
  readonly #items: T[] = [];
  #pushed = 0;
  #cached: readonly T[] | undefined;

  /** `capacity` must be a positive integer (checked where the option enters, in createLogsClient). */
  constructor(readonly capacity: number) {}

  /** Items pushed out by newer ones since the buffer was created. */
  get evicted(): number {
    return Math.max(0, this.#pushed - this.capacity);
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    this.#items[this.#pushed++ % this.capacity] = item;
    this.#cached = undefined;
  }

  /** Oldest first. The same frozen array is returned until the buffer changes. */
  snapshot(): readonly T[] {
    // The oldest item sits where the next one goes (or at 0 until the buffer is full).
    const oldest = this.#pushed % this.capacity;
    this.#cached ??= Object.freeze(this.#items.slice(oldest).concat(this.#items.slice(0, oldest)));
    return this.#cached;
  }
}
