import { randomUUID } from 'node:crypto';
import { API_PATHS, formatIdempotencyKey, IDEMPOTENCY_KEY_HEADER } from '@logs-sse/protocol';
import { backoffDelay } from './backoff';
import { type Batch, EMPTY_BATCH } from './batch';
import type { EntryParts } from './entryParts';
import { EntryQueue, lineSize } from './entryQueue';
import { FlushWaiters } from './flushWaiters';
import type { HttpClient } from './httpClient';
import type { ResolvedOptions } from './options';
import { type AnswerVerdict, readAnswer } from './publishAnswer';
import { PublisherError } from './publisherError';
import type { ConnectionStatus, DroppedBy } from './stats';

/** Loose entries that make the queue pack them (see {@link EntryQueue}). */
const PACK_AFTER = 256;

/**
 * Owns the queue and the one request in flight. Entries are numbered in publish order: the queue holds
 * the newest contiguous run of numbers and the batch in flight the run before it, so "everything
 * published before flush()" is simply "every number below the one handed out next".
 */
export class DeliveryLoop {
  readonly droppedBy: DroppedBy = { overflow: 0, invalid: 0, refused: 0, tooLarge: 0, closed: 0 };
  sent = 0;
  batchesSent = 0;
  retries = 0;
  lastError: PublisherError | undefined;
  lastErrorAt = 0;
  connectionStatus: ConnectionStatus = 'idle';

  private readonly queue: EntryQueue;
  /** The batch in flight; entries before `inflightStart` are already settled. */
  private inflight: Batch = EMPTY_BATCH;
  private inflightStart = 0;
  private inflightBytes = 0;
  /** Number of the first entry in `inflight`. */
  private inflightSeq = 0;
  /** Number the next queued entry gets. */
  private nextSeq = 0;
  private running = false;
  private waitingToRetry = false;
  private stopped = false;
  private batchTimer: unknown;
  /** A send is due at once: saves re-arming the timer on every publish while a full batch waits. */
  private kicked = false;
  private drainTarget = 0;
  private readonly waiters: FlushWaiters;
  private sleepTimer: unknown;
  private wake: (() => void) | undefined;
  // Packs once the caller's code yields, so that a burst waits as a few buffers, not a string per entry.
  private readonly onPack = () => {
    try {
      this.queue.pack();
    } catch {
      // Out of memory for a slab: the entries stay as they are and the send packs them or reports why.
    }
  };
  // Bound once, so that scheduling a send allocates no closure.
  private readonly onTimer = () => {
    this.batchTimer = undefined;
    this.kicked = false;
    void this.run();
  };

  constructor(
    private readonly options: ResolvedOptions,
    private readonly http: HttpClient,
  ) {
    this.queue = new EntryQueue(options.maxQueueSize);
    this.waiters = new FlushWaiters(options.timers);
  }

  get queueSize(): number {
    return this.queue.size + this.inflight.length - this.inflightStart;
  }

  get queueBytes(): number {
    return this.queue.bytes + this.inflightBytes;
  }

  /** Where the encoder serialises an entry before {@link enqueue} queues it. */
  get parts(): EntryParts {
    return this.queue.parts;
  }

  /**
   * The hot path: O(1), synchronous. Queues the entry last serialised into {@link parts}, `own`
   * characters of JSON. `false` when the entry was dropped (and counted).
   */
  enqueue(own: number, head: string, stamp: number): boolean {
    if (this.stopped) {
      this.droppedBy.closed++;
      return false;
    }
    const { maxQueueSize, maxQueueBytes, maxBatchBytes } = this.options;
    const length = lineSize(own, head, stamp);
    if (length > maxBatchBytes || length > maxQueueBytes) {
      this.droppedBy.tooLarge++;
      return false;
    }
    while (
      this.queue.size + this.inflight.length - this.inflightStart >= maxQueueSize ||
      this.queue.bytes + this.inflightBytes + length > maxQueueBytes
    ) {
      if (this.options.overflow === 'drop-newest' || !this.dropOldest()) {
        this.droppedBy.overflow++;
        return false;
      }
    }
    this.queue.commit(own, head, stamp);
    this.nextSeq++;
    if (this.queue.loose === PACK_AFTER) queueMicrotask(this.onPack);
    if (!this.running) {
      if (this.queue.size >= this.options.batchSize || this.queue.bytes >= maxBatchBytes) {
        if (!this.kicked) this.kick();
      } else if (this.batchTimer === undefined) this.schedule(this.options.flushIntervalMs);
    }
    return true;
  }

  /**
   * Drops the oldest entry held. A batch waiting to be retried holds the oldest entries and is not on
   * the wire, so it loses its first entry; a batch on the wire is left alone and the queue loses its head.
   */
  private dropOldest(): boolean {
    if (this.waitingToRetry && this.inflightStart < this.inflight.length) {
      this.inflightBytes -= this.inflight.sizes[this.inflightStart]!;
      this.inflightStart++;
    } else if (this.queue.size > 0) {
      this.queue.drop();
    } else {
      return false;
    }
    this.droppedBy.overflow++;
    return true;
  }

  /** Resolves `true` once everything queued so far is sent or dropped, `false` if `timeoutMs` passes first. */
  flush(timeoutMs?: number): Promise<boolean> {
    const target = this.nextSeq;
    if (this.settledBelow() >= target) return Promise.resolve(true);
    this.drainTarget = Math.max(this.drainTarget, target);
    if (!this.running) this.kick();
    return this.waiters.wait(target, timeoutMs);
  }

  /** Stops sending for good: aborts the request in flight and drops what is left as `closed`. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.connectionStatus = 'closed';
    if (this.batchTimer !== undefined) this.options.timers.clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.cancelSleep();
    this.http.abort();
    this.droppedBy.closed += this.queue.clear() + this.inflight.length - this.inflightStart;
    this.inflight.release();
    this.inflight = EMPTY_BATCH;
    this.inflightStart = 0;
    this.inflightBytes = 0;
    this.inflightSeq = this.nextSeq;
    this.waiters.settleAll();
  }

  /** Sends as soon as the caller's code yields. */
  private kick(): void {
    if (this.batchTimer !== undefined) this.options.timers.clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.schedule(0);
    this.kicked = true;
  }

  private schedule(ms: number): void {
    this.batchTimer = this.options.timers.setTimeout(this.onTimer, ms);
  }

  /** Number of the oldest entry not yet settled; every number below it is sent or dropped. */
  private settledBelow(): number {
    if (this.inflightStart < this.inflight.length) return this.inflightSeq + this.inflightStart;
    return this.nextSeq - this.queue.size;
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      while (!this.stopped && (this.queue.size > 0 || this.inflightStart < this.inflight.length)) {
        // A batch left pending by a fault below is sent again before anything newer.
        if (this.inflightStart >= this.inflight.length) this.takeBatch();
        await this.deliverBatch();
        this.waiters.settle(this.settledBelow());
        const draining = this.drainTarget > this.settledBelow();
        if (!draining && this.queue.size < this.options.batchSize) break;
      }
    } catch (error) {
      // Nothing above should throw; if it does, the entries stay queued and the next timer retries.
      this.report(new PublisherError('network_error', `publisher loop failed: ${String(error)}`));
    } finally {
      this.running = false;
      this.waiters.settle(this.settledBelow());
      if (!this.stopped && this.queue.size > 0 && this.batchTimer === undefined) {
        this.schedule(this.options.flushIntervalMs);
      }
    }
  }

  private takeBatch(): void {
    this.inflightSeq = this.nextSeq - this.queue.size;
    const batch = this.queue.take(this.options.batchSize, this.options.maxBatchBytes) ?? EMPTY_BATCH;
    let bytes = 0;
    for (const size of batch.sizes) bytes += size;
    this.inflight = batch;
    this.inflightStart = 0;
    this.inflightBytes = bytes;
  }

  /**
   * Sends the batch in flight until every entry of it is accepted or dropped, or the loop stops. Each
   * body goes with an `Idempotency-Key` that its retries repeat, so a batch the gateway stored while its
   * answer was lost is not stored twice; a different body (halves after a 413, a batch that lost its
   * oldest entry to overflow while it waited) gets a key of its own, as a reused key would be refused.
   */
  private async deliverBatch(): Promise<void> {
    let chunk = this.inflight.length;
    let attempt = 0;
    let keyed = { start: -1, end: -1, headers: {} as Record<string, string> };
    while (!this.stopped && this.inflightStart < this.inflight.length) {
      const start = this.inflightStart;
      const end = Math.min(start + chunk, this.inflight.length);
      if (keyed.start !== start || keyed.end !== end) {
        keyed = { start, end, headers: { [IDEMPOTENCY_KEY_HEADER]: formatIdempotencyKey(randomUUID()) } };
      }
      const outcome = await this.http.post(
        API_PATHS.publish,
        this.inflight.slice(start, end),
        'application/x-ndjson',
        this.options.gzip,
        keyed.headers,
      );
      if (this.stopped) return;
      const count = end - start;
      const verdict = readAnswer(outcome, count, this.options.now());
      this.apply(verdict);
      if (verdict.action === 'split') {
        chunk = Math.ceil(count / 2);
      } else if (verdict.action === 'retry') {
        this.retries++;
        const { retryBaseMs, retryMaxMs, random } = this.options;
        const wait = verdict.retryAfterMs ?? backoffDelay(attempt, retryBaseMs, retryMaxMs, random);
        this.waitingToRetry = true;
        await this.sleep(Math.min(retryMaxMs, wait));
        this.waitingToRetry = false;
        attempt++;
      } else {
        attempt = 0;
        this.settle(start, end);
      }
    }
    // Overflow may have dropped the whole batch while it waited to be retried.
    if (this.inflightStart === this.inflight.length) this.settle(this.inflightStart, this.inflightStart);
  }

  /** Counts what one answer means for the entries it carried. */
  private apply(verdict: AnswerVerdict): void {
    this.connectionStatus = verdict.connection;
    if (verdict.accepted) this.batchesSent++;
    this.sent += verdict.sent;
    this.droppedBy.invalid += verdict.invalid;
    this.droppedBy.refused += verdict.refused;
    this.droppedBy.tooLarge += verdict.tooLarge;
    if (verdict.error) this.report(verdict.error);
  }

  private settle(start: number, end: number): void {
    for (let i = start; i < end; i++) this.inflightBytes -= this.inflight.sizes[i]!;
    this.inflightStart = end;
    if (end === this.inflight.length) {
      this.inflight.release();
      this.inflight = EMPTY_BATCH;
      this.inflightStart = 0;
      this.inflightBytes = 0;
      this.inflightSeq = this.nextSeq - this.queue.size;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = this.options.timers.setTimeout(() => this.cancelSleep(), ms);
    });
  }

  private cancelSleep(): void {
    if (this.sleepTimer !== undefined) this.options.timers.clearTimeout(this.sleepTimer);
    this.sleepTimer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  report(error: PublisherError): void {
    this.lastError = error;
    this.lastErrorAt = this.options.now();
    try {
      this.options.onError?.(error);
    } catch {
      // A throwing onError must not break delivery.
    }
  }
}
