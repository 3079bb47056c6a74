/**
 * Entries taken off the queue to be sent together: one body of lines each ended by `\n`, and where
 * each line ends. Any run of its entries is a slice of the body, so the halves of a split batch, or a
 * batch that lost its oldest entries while it waited to be retried, cost no copy and a retry sends the
 * very same bytes again.
 */
export class Batch {
  constructor(
    private readonly bytes: Buffer,
    /** Byte offset just past each entry's `\n`. */
    private readonly ends: Uint32Array,
    /** Characters of each entry's line, as counted in `queueBytes`. */
    readonly sizes: Uint32Array,
  ) {}

  get length(): number {
    return this.ends.length;
  }

  /** The request body for entries `start` to `end` (excluded): their lines joined by `\n`. */
  slice(start: number, end: number): Buffer {
    return this.bytes.subarray(start === 0 ? 0 : this.ends[start - 1]!, this.ends[end - 1]! - 1);
  }
}

export const EMPTY_BATCH = new Batch(Buffer.alloc(0), new Uint32Array(0), new Uint32Array(0));
