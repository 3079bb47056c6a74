/**
 * A fixed-capacity queue that overwrites its oldest item when full. `push` is O(1); `snapshot` copies
 * once and hands out the same array until the next change, which is what `useSyncExternalStore` needs.
 */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #count = 0;
  #cached: readonly T[] | undefined;
  /** Items pushed out by newer ones since the buffer was created. */
  evicted = 0;

  /** `capacity` must be a positive integer (checked where the option enters, in resolveOptions). */
  constructor(readonly capacity: number) {
    this.#items = new Array(capacity);
  }

  get size(): number {
    return this.#count;
  }

  push(item: T): void {
    const end = (this.#start + this.#count) % this.capacity;
    this.#items[end] = item;
    if (this.#count < this.capacity) this.#count++;
    else {
      this.#start = (this.#start + 1) % this.capacity;
      this.evicted++;
    }
    this.#cached = undefined;
  }

  /** Oldest first. The same frozen array is returned until the buffer changes. */
  snapshot(): readonly T[] {
    if (this.#cached !== undefined) return this.#cached;
    const out = new Array<T>(this.#count);
    for (let i = 0; i < this.#count; i++) out[i] = this.#items[(this.#start + i) % this.capacity] as T;
    this.#cached = Object.freeze(out);
    return this.#cached;
  }
}
