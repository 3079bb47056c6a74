/** Bytes in one slab: several hundred ordinary entries. */
const SLAB_BYTES = 128 * 1024;
/** Empty slabs kept for reuse beyond the one being written; the rest are left to the collector. */
const MAX_FREE = 3;

/**
 * A buffer that packs of entries are written into, end to end. It counts the entries written into it
 * that are still queued or in a batch not yet settled; at zero it is written over from the start.
 */
export class Slab {
  used = 0;
  users = 0;

  constructor(
    readonly bytes: Buffer,
    private readonly pool: SlabPool | undefined,
  ) {}

  /** `count` of the entries written here are sent or dropped. */
  release(count: number): void {
    this.users -= count;
    if (this.users === 0) this.pool?.recycle(this);
  }
}

/**
 * Hands out room to write packs in, reusing slabs once everything in them is settled. Fresh memory is
 * what made packing dear: each new page faults on its first write, which cost more than the writing.
 * A slab that had a request body in it is reused only after the gateway answered that request.
 */
export class SlabPool {
  private current: Slab | undefined;
  private readonly free: Slab[] = [];

  /** A slab with at least `need` bytes free past its `used` mark. */
  reserve(need: number): Slab {
    const current = this.current;
    if (current !== undefined && current.bytes.length - current.used >= need) return current;
    // An entry too large for a slab gets a buffer of its own, which nothing reuses.
    if (need > SLAB_BYTES) return new Slab(Buffer.allocUnsafe(need), undefined);
    const next = this.free.pop() ?? new Slab(Buffer.allocUnsafe(SLAB_BYTES), this);
    this.current = next;
    return next;
  }

  recycle(slab: Slab): void {
    slab.used = 0;
    if (slab !== this.current && this.free.length < MAX_FREE) this.free.push(slab);
  }
}
