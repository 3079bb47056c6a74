import { Batch } from './batch';
import { linePrefix, STAMP_CHARS } from './entryEncoder';
import { EntryParts, WHOLE, writeFields } from './entryParts';
import { type Slab, SlabPool } from './slabPool';

const EMPTY = Buffer.alloc(0);

/** Entries packed into one buffer: their lines, each ended by `\n`, and where each one ends. */
interface Pack {
  readonly bytes: Buffer;
  /** The slab `bytes` lie in. */
  readonly slab: Slab;
  /** Offset in `bytes` just past each entry's `\n`. */
  readonly ends: Uint32Array;
  /** Characters of each entry's line. */
  readonly sizes: Uint32Array;
  /** Index of the oldest entry of the pack still queued. */
  first: number;
}

/**
 * A FIFO of encoded entries that also sums their sizes. New entries are kept as their parts (the
 * fields the encoder wrote into {@link parts}, the publisher's head, the stamp) in arrays allocated
 * once, so a push is a few stores and no allocation. {@link pack} then writes them, spliced into lines,
 * into a reused buffer: a queue
 * that holds a string per entry makes every garbage collection copy and mark each of them while they
 * wait, which cost more than the publishing itself when a burst outruns the gateway.
 *
 * Packed entries are always older than loose ones; the front of the queue is the first pack.
 */
export class EntryQueue {
  /** Where the encoder serialises entries; {@link commit} queues the last one. */
  readonly parts = new EntryParts();
  /** Per loose entry: how many parts it has, the characters of its own JSON, its head and stamp. */
  private readonly partCounts: Uint32Array;
  private readonly owns: Uint32Array;
  private readonly heads: (string | undefined)[];
  private readonly stamps: Float64Array;
  private head = 0;
  private count = 0;
  private readonly packs: Pack[] = [];
  private readonly slabs = new SlabPool();
  private packed = 0;
  private chars = 0;
  private lastHead = '';
  private lastStamp = Number.NaN;
  private prefix = EMPTY;
  private prefixChars = 0;

  constructor(readonly capacity: number) {
    this.partCounts = new Uint32Array(capacity);
    this.owns = new Uint32Array(capacity);
    this.heads = new Array(capacity).fill(undefined);
    this.stamps = new Float64Array(capacity);
  }

  get size(): number {
    return this.packed + this.count;
  }

  /** Entries pushed since the last {@link pack}. */
  get loose(): number {
    return this.count;
  }

  /** Sum of the sizes of the queued lines; a loose entry's stamp counts at its longest. */
  get bytes(): number {
    return this.chars;
  }

  /**
   * Appends at the tail the entry serialised into {@link parts} since the last commit, `own` characters
   * of JSON; the caller keeps the queue within its capacity.
   */
  commit(own: number, head: string, stamp: number): void {
    const parts = this.parts;
    let index = this.head + this.count;
    if (index >= this.capacity) index -= this.capacity;
    this.partCounts[index] = parts.end - parts.tail;
    parts.commit();
    this.owns[index] = own;
    this.heads[index] = head;
    this.stamps[index] = stamp;
    this.count++;
    this.chars += lineSize(own, head, stamp);
  }

  /** Splices every loose entry into its line and writes them into slabs, as few as they fit in. */
  pack(): void {
    while (this.count > 0) this.packSome();
    this.parts.reset();
  }

  /**
   * Writes lines straight into a slab, as many as fit. Joining the lines as strings first would be
   * several times dearer: each is a concatenation of the prefix and the JSON, and V8 joins such
   * strings slowly.
   */
  private packSome(): void {
    const room = this.count;
    const ends = new Uint32Array(room);
    const sizes = new Uint32Array(room);
    let slab: Slab | undefined;
    let out: Buffer = EMPTY;
    let start = 0;
    let at = 0;
    let n = 0;
    let i = this.head;
    const parts = this.parts;
    const { values, kinds } = parts;
    while (n < room) {
      const own = this.owns[i]!;
      const head = this.heads[i]!;
      const stamp = this.stamps[i]!;
      const from = parts.head;
      const to = from + this.partCounts[i]!;
      const prefix = this.prefixOf(head, stamp);
      // A UTF-16 unit never takes more than 3 bytes in UTF-8.
      const need = prefix.length + own * 3 + 1;
      if (slab === undefined) {
        slab = this.slabs.reserve(need);
        out = slab.bytes;
        start = at = slab.used;
      } else if (out.length - at < need) {
        break;
      }
      let size: number;
      if (to - from === 1 && kinds[from] === WHOLE) {
        const json = values[from] as string;
        if (prefix.length === 0) {
          at += out.write(json, at);
          size = own;
        } else {
          out.set(prefix, at);
          at += prefix.length;
          const written = out.write(json, at);
          // The JSON's opening brace (one byte) makes way for the entry's own fields, or closes the line.
          if (own === 2) {
            out[at] = 125; // }
            at += 1;
            size = this.prefixChars + 1;
          } else {
            out[at] = 44; // ,
            at += written;
            size = this.prefixChars + own;
          }
        }
      } else if (prefix.length === 0) {
        out[at++] = 123; // {
        at = writeFields(parts, from, to, out, at);
        out[at++] = 125;
        size = own;
      } else {
        out.set(prefix, at);
        at += prefix.length;
        if (to > from) {
          out[at++] = 44;
          at = writeFields(parts, from, to, out, at);
          size = this.prefixChars + own;
        } else {
          size = this.prefixChars + 1;
        }
        out[at++] = 125;
      }
      out[at++] = 10; // \n
      ends[n] = at - start;
      sizes[n] = size;
      // From here on the line's true size counts, no longer its stamp at its longest.
      this.chars += size - lineSize(own, head, stamp);
      parts.head = to;
      this.heads[i] = undefined;
      i = i + 1 === this.capacity ? 0 : i + 1;
      n++;
    }
    slab!.used = at;
    slab!.users += n;
    this.packs.push({
      bytes: out.subarray(start, at),
      slab: slab!,
      ends: n === room ? ends : ends.slice(0, n),
      sizes: n === room ? sizes : sizes.slice(0, n),
      first: 0,
    });
    this.packed += n;
    this.count -= n;
    this.head = this.count === 0 ? 0 : i;
  }

  /** The UTF-8 of the line prefix, empty when there is none; a run of entries mostly shares one. */
  private prefixOf(head: string, stamp: number): Buffer {
    if (head !== this.lastHead || !Object.is(stamp, this.lastStamp)) {
      const prefix = linePrefix(head, stamp);
      this.lastHead = head;
      this.lastStamp = stamp;
      this.prefixChars = prefix.length;
      this.prefix = prefix === '{' ? EMPTY : Buffer.from(prefix, 'utf8');
    }
    return this.prefix;
  }

  /**
   * Takes the oldest entries, at most `maxEntries` of them and as many as fit in `maxChars` characters
   * joined by `\n` (always at least one), as one batch. `undefined` when the queue is empty.
   */
  take(maxEntries: number, maxChars: number): Batch | undefined {
    this.pack();
    if (this.packed === 0) return undefined;
    const room = Math.min(maxEntries, this.packed);
    const pieceOf = new Uint32Array(room);
    const ends = new Uint32Array(room);
    const sizes = new Uint32Array(room);
    const pieces: Buffer[] = [];
    const slabs: Slab[] = [];
    const counts: number[] = [];
    let n = 0;
    let chars = 0;
    let full = false;
    while (!full && this.packs.length > 0) {
      const pack = this.packs[0]!;
      const start = pack.first;
      const startByte = start === 0 ? 0 : pack.ends[start - 1]!;
      let i = start;
      while (i < pack.sizes.length) {
        const size = pack.sizes[i]!;
        if (n === room || (n > 0 && chars + size > maxChars)) {
          full = true;
          break;
        }
        chars += size + 1;
        pieceOf[n] = pieces.length;
        ends[n] = pack.ends[i]! - startByte;
        sizes[n] = size;
        this.chars -= size;
        n++;
        i++;
      }
      if (i > start) {
        pieces.push(pack.bytes.subarray(startByte, pack.ends[i - 1]!));
        slabs.push(pack.slab);
        counts.push(i - start);
      }
      this.packed -= i - start;
      pack.first = i;
      if (i === pack.sizes.length) this.packs.shift();
    }
    return new Batch(
      pieces,
      slabs,
      counts,
      pieceOf.subarray(0, n),
      ends.subarray(0, n),
      sizes.subarray(0, n),
    );
  }

  /** Removes the oldest entry. */
  drop(): void {
    const pack = this.packs[0];
    if (pack !== undefined) {
      this.chars -= pack.sizes[pack.first]!;
      pack.first++;
      this.packed--;
      pack.slab.release(1);
      if (pack.first === pack.sizes.length) this.packs.shift();
      return;
    }
    if (this.count === 0) return;
    const i = this.head;
    this.chars -= lineSize(this.owns[i]!, this.heads[i]!, this.stamps[i]!);
    this.parts.head += this.partCounts[i]!;
    this.heads[i] = undefined;
    this.head = i + 1 === this.capacity ? 0 : i + 1;
    this.count--;
  }

  clear(): number {
    const dropped = this.size;
    for (const pack of this.packs) pack.slab.release(pack.sizes.length - pack.first);
    this.packs.length = 0;
    this.packed = 0;
    while (this.count > 0) this.drop();
    this.parts.reset();
    this.chars = 0;
    return dropped;
  }
}

/** Size of the line an entry of `own` characters of JSON becomes, counting a stamp at its longest. */
export function lineSize(own: number, head: string, stamp: number): number {
  return own + head.length + (Number.isNaN(stamp) ? 1 : STAMP_CHARS);
}
