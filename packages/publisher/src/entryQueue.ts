import { STAMP_CHARS, spliceLine } from './entryEncoder';

/**
 * A fixed-capacity FIFO of encoded entries that also sums their sizes. Each entry is kept as its parts
 * (the caller's JSON, the publisher's head, the stamp) in parallel arrays allocated once, so a push is
 * three stores and no allocation; the parts are spliced into a line only when a batch is taken.
 */
export class EntryQueue {
  private readonly jsons: (string | undefined)[];
  private readonly heads: (string | undefined)[];
  private readonly stamps: Float64Array;
  private head = 0;
  private count = 0;
  private chars = 0;

  constructor(readonly capacity: number) {
    this.jsons = new Array(capacity).fill(undefined);
    this.heads = new Array(capacity).fill(undefined);
    this.stamps = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Sum of the sizes of the queued lines, counting a stamp at its longest. */
  get bytes(): number {
    return this.chars;
  }

  /** Appends at the tail; the caller keeps the queue within its capacity. */
  push(json: string, head: string, stamp: number): void {
    let index = this.head + this.count;
    if (index >= this.capacity) index -= this.capacity;
    this.jsons[index] = json;
    this.heads[index] = head;
    this.stamps[index] = stamp;
    this.count++;
    this.chars += lineSize(json, head, stamp);
  }

  /** Removes the oldest entry and returns its line. */
  shift(): string | undefined {
    if (this.count === 0) return undefined;
    const i = this.head;
    const line = spliceLine(this.heads[i]!, this.stamps[i]!, this.jsons[i]!);
    this.drop();
    return line;
  }

  /** Removes the oldest entry without building its line. */
  drop(): void {
    if (this.count === 0) return;
    const i = this.head;
    this.chars -= lineSize(this.jsons[i]!, this.heads[i]!, this.stamps[i]!);
    this.jsons[i] = undefined;
    this.heads[i] = undefined;
    this.head = i + 1 === this.capacity ? 0 : i + 1;
    this.count--;
  }

  /** Size of the oldest entry's line, or 0 when empty. */
  peekSize(): number {
    if (this.count === 0) return 0;
    const i = this.head;
    return lineSize(this.jsons[i]!, this.heads[i]!, this.stamps[i]!);
  }

  clear(): number {
    const dropped = this.count;
    while (this.count > 0) this.drop();
    return dropped;
  }
}

/** Size of the line an entry becomes, counting a stamp at its longest. */
export function lineSize(json: string, head: string, stamp: number): number {
  return json.length + head.length + (Number.isNaN(stamp) ? 1 : STAMP_CHARS);
}
