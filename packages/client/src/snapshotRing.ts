/**
 * The newest `capacity` log entries of one channel, which `getLogs` hands out: a fixed ring that
 * overwrites its oldest entry when full (O(1) per entry), with a snapshot copied once and shared until
 * the next push, the stable identity `useSyncExternalStore` needs. Unlike the gateway's history, it
 * never shrinks, is never searched and never hands back what it pushed out, only counts it.
 *
 * A plain object with functions beside it, like `Channel`, which is one: the client's closure reads it
 * on every chunk, and module functions minify to one letter where method and getter names would not.
 */
export interface SnapshotRing<T> {
  /** A positive integer (checked where the option enters, in createLogsClient). */
  readonly capacity: number;
  /** Item `n` (counting every push from 0) sits at `n % capacity`. */
  readonly items: T[];
  /** Items pushed since the ring was created. */
  pushed: number;
  /** The snapshot of the items as they are now, once one was asked for. */
  snapshot?: readonly T[] | undefined;
}

export function pushToRing<T>(ring: SnapshotRing<T>, item: T): void {
  ring.items[ring.pushed++ % ring.capacity] = item;
  ring.snapshot = undefined;
}

/** Oldest first. The same frozen array is returned until the ring changes. */
export function ringSnapshot<T>(ring: SnapshotRing<T>): readonly T[] {
  // The oldest item sits where the next one goes (or at 0 until the ring is full). Items past `pushed`
  // are left over from before a reset (`pushed` set back to 0) and are not part of the ring.
  const oldest = ring.pushed % ring.capacity;
  ring.snapshot ??= Object.freeze(ring.items.slice(oldest, ring.pushed).concat(ring.items.slice(0, oldest)));
  return ring.snapshot;
}

/** Items pushed out by newer ones since the ring was created. */
export function ringEvicted(ring: SnapshotRing<unknown>): number {
  return Math.max(0, ring.pushed - ring.capacity);
}
