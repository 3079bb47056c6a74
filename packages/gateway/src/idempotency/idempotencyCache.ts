import type { RecordedAnswer } from '../store/store';

export interface IdempotencyCacheOptions {
  /** How long a record answers repeats, in milliseconds. */
  windowMs: number;
  /** Most records kept; past it the least recently used goes first. */
  maxKeys: number;
  /** Most bytes of records kept; past it the least recently used goes first. */
  maxBytes: number;
  now: () => number;
}

interface Done {
  readonly fingerprint: string;
  readonly answer: RecordedAnswer;
  readonly expiresAt: number;
  readonly bytes: number;
}

interface Pending {
  readonly fingerprint: string;
  readonly settled: Promise<void>;
  readonly settle: () => void;
}

/** What a publish with a key does next. */
export type Claim =
  /** The key is new: this request goes ahead, then `complete`s or `release`s it. */
  | { kind: 'new' }
  /** A request with this key was stored: answer as it was answered. */
  | { kind: 'replay'; answer: RecordedAnswer }
  /** The key was used for another body. */
  | { kind: 'mismatch' }
  /** A request with this key and body is being handled: ask again once it has finished. */
  | { kind: 'wait'; settled: Promise<void> };

/** Bytes a record costs beyond its strings: the map slot and the objects. */
const RECORD_BYTES = 200;

/**
 * Idempotency records in this process, for a store that keeps none of its own (the in-memory store):
 * the answer of each keyed publish, for `windowMs`, bounded by count and bytes, least recently used out
 * first. A repeat that arrives while the first is still being handled waits for it rather than being
 * refused, so a publisher never has to tell "in progress" from "done".
 */
export class IdempotencyCache {
  /** Oldest use first: a Map keeps insertion order, and a use moves a record to the end. */
  private readonly done = new Map<string, Done>();
  private readonly pending = new Map<string, Pending>();
  private bytes = 0;

  constructor(private readonly options: IdempotencyCacheOptions) {}

  get size(): number {
    return this.done.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** Looks `scope` up; when it is new, marks it as being handled by the caller. */
  claim(scope: string, fingerprint: string): Claim {
    const now = this.options.now();
    const record = this.done.get(scope);
    if (record !== undefined && record.expiresAt > now) {
      if (record.fingerprint !== fingerprint) return { kind: 'mismatch' };
      this.done.delete(scope);
      this.done.set(scope, record);
      return { kind: 'replay', answer: record.answer };
    }
    if (record !== undefined) this.remove(scope, record);
    const busy = this.pending.get(scope);
    if (busy !== undefined) {
      return busy.fingerprint === fingerprint
        ? { kind: 'wait', settled: busy.settled }
        : { kind: 'mismatch' };
    }
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.pending.set(scope, { fingerprint, settled, settle });
    return { kind: 'new' };
  }

  /** Records the answer of a claimed key that was stored. */
  complete(scope: string, answer: RecordedAnswer): void {
    const busy = this.pending.get(scope);
    if (busy === undefined) return;
    this.pending.delete(scope);
    const bytes = RECORD_BYTES + (scope.length + busy.fingerprint.length + answer.body.length) * 2;
    const record: Done = {
      fingerprint: busy.fingerprint,
      answer,
      expiresAt: this.options.now() + this.options.windowMs,
      bytes,
    };
    this.done.set(scope, record);
    this.bytes += bytes;
    this.trim();
    busy.settle();
  }

  /** Gives up a claimed key that stored nothing: a repeat is handled as a new request. */
  release(scope: string): void {
    const busy = this.pending.get(scope);
    if (busy === undefined) return;
    this.pending.delete(scope);
    busy.settle();
  }

  /** Drops expired records from the oldest end, then the least recently used past the bounds. */
  private trim(): void {
    const now = this.options.now();
    const { maxKeys, maxBytes } = this.options;
    for (const [scope, record] of this.done) {
      const over = this.done.size > maxKeys || this.bytes > maxBytes;
      if (!over && record.expiresAt > now) break;
      this.remove(scope, record);
    }
  }

  private remove(scope: string, record: Done): void {
    this.done.delete(scope);
    this.bytes -= record.bytes;
  }
}
