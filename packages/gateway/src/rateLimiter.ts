/** Why a publish request was refused: the first of its services whose bucket is empty. */
export interface RateRefusal {
  service: string;
  /** Whole seconds until that bucket holds a token again; at least 1. */
  retryAfterSeconds: number;
  /** `true` at most once a minute per service: worth a log line then, not on every refused request. */
  newlyLimited: boolean;
}

interface Bucket {
  /** May go below zero: a batch larger than what is left is taken whole and paid back over time. */
  tokens: number;
  updatedAt: number;
  warnedAt: number;
}

const WARN_INTERVAL_MS = 60_000;

/**
 * A token bucket per service, refilled continuously from the gateway clock. Buckets sit in a Map kept in
 * least-recently-used order and capped at `maxBuckets`: past the cap the bucket used longest ago goes.
 * That one has usually refilled to full while idle, and a full bucket is what a new one starts as, so
 * dropping it forgets nothing; a service in debt keeps its bucket fresh by publishing or being refused.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly entriesPerSecond: number,
    readonly burst: number,
    private readonly now: () => number,
    private readonly maxBuckets = 10_000,
  ) {
    this.perMs = entriesPerSecond / 1000;
  }

  /** Buckets held; never above `maxBuckets`. */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Judges one request as a whole, `counts` being its entries per service. When every service has a
   * token left, takes all the entries (buckets may go negative) and returns `undefined`; otherwise takes
   * nothing and says which service is over its limit.
   */
  admit(counts: ReadonlyMap<string, number>): RateRefusal | undefined {
    const now = this.now();
    for (const service of counts.keys()) {
      const bucket = this.buckets.get(service);
      // A service without a bucket starts with a full one.
      if (bucket === undefined) continue;
      this.refill(bucket, now);
      if (bucket.tokens <= 0) return this.refuse(service, bucket, now);
    }
    for (const [service, count] of counts) this.touch(service, now).tokens -= count;
    return undefined;
  }

  /** Gives back what `admit` took for a request that was then not stored. */
  refund(counts: ReadonlyMap<string, number>): void {
    for (const [service, count] of counts) {
      const bucket = this.buckets.get(service);
      if (bucket !== undefined) bucket.tokens = Math.min(this.burst, bucket.tokens + count);
    }
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsed = now - bucket.updatedAt;
    if (elapsed > 0) bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.perMs);
    bucket.updatedAt = Math.max(bucket.updatedAt, now);
  }

  private refuse(service: string, bucket: Bucket, now: number): RateRefusal {
    this.touch(service, now);
    // The first whole second at which the debt is paid and a token is back (strictly above zero).
    const retryAfterSeconds = Math.floor(-bucket.tokens / this.entriesPerSecond) + 1;
    const newlyLimited = now - bucket.warnedAt >= WARN_INTERVAL_MS;
    if (newlyLimited) bucket.warnedAt = now;
    return { service, retryAfterSeconds, newlyLimited };
  }

  /** The service's bucket, created full when missing, moved to the most recently used end. */
  private touch(service: string, now: number): Bucket {
    let bucket = this.buckets.get(service);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, updatedAt: now, warnedAt: Number.NEGATIVE_INFINITY };
      if (this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    } else {
      this.buckets.delete(service);
    }
    this.buckets.set(service, bucket);
    return bucket;
  }
}
