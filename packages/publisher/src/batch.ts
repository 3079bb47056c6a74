import type { Slab } from './slabPool';

/**
 * Entries taken off the queue to be sent together: lines each ended by `\n`, in one or a few pieces
 * (one per run of entries packed together), and where each line ends. Any run of its entries is a
 * list of slices of those pieces, so the halves of a split batch, or a batch that lost its oldest
 * entries while it waited to be retried, cost no copy, and a retry sends the very same bytes again.
 */
export class Batch {
  private released = false;

  constructor(
    private readonly pieces: readonly Buffer[],
    /** The slab each piece lies in, and how many entries the piece holds. */
    private readonly slabs: readonly Slab[],
    private readonly counts: readonly number[],
    /** Index of each entry's piece. */
    private readonly pieceOf: Uint32Array,
    /** Offset, in its piece, just past each entry's `\n`. */
    private readonly ends: Uint32Array,
    /** Characters of each entry's line, as counted in `queueBytes`. */
    readonly sizes: Uint32Array,
  ) {}

  get length(): number {
    return this.ends.length;
  }

  /** The request body for entries `start` to `end` (excluded): their lines joined by `\n`. */
  slice(start: number, end: number): Buffer[] {
    const first = this.pieceOf[start]!;
    const last = this.pieceOf[end - 1]!;
    const body: Buffer[] = [];
    for (let p = first; p <= last; p++) {
      const from = p === first && start > 0 && this.pieceOf[start - 1] === p ? this.ends[start - 1]! : 0;
      const to = p === last ? this.ends[end - 1]! - 1 : this.pieces[p]!.length;
      body.push(this.pieces[p]!.subarray(from, to));
    }
    return body;
  }

  /** Every entry is settled and no request will send these bytes again: their slabs may be reused. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (let p = 0; p < this.slabs.length; p++) this.slabs[p]!.release(this.counts[p]!);
  }
}

export const EMPTY_BATCH = new Batch([], [], [], new Uint32Array(0), new Uint32Array(0), new Uint32Array(0));
