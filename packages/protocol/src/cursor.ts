/**
 * Cursors are opaque to clients. The gateway writes them as `<milliseconds>-<sequence>`, both decimal,
 * the shape of a Redis Stream id, so that an in-memory gateway and several gateways sharing Redis hand
 * out cursors of one kind, strictly increasing across every channel of a deployment.
 */
export type Cursor = string;

const CURSOR = /^\d{1,15}-\d{1,15}$/;

export function isCursor(value: unknown): value is Cursor {
  return typeof value === 'string' && CURSOR.test(value);
}

/**
 * Orders two valid cursors: negative when `a` is older than `b`, 0 when equal, positive when newer.
 * Runs once per entry on every stream, so the common case compares text without allocating.
 */
export function compareCursors(a: Cursor, b: Cursor): number {
  const da = a.indexOf('-');
  // Equal lengths with the dash at the same place (the common case): text order is numeric order.
  if (a.length === b.length && b.charCodeAt(da) === 45) return a < b ? -1 : a > b ? 1 : 0;
  const db = b.indexOf('-');
  // Each part has at most 15 digits, well within a double's exact integers.
  return Number(a.slice(0, da)) - Number(b.slice(0, db)) || Number(a.slice(da + 1)) - Number(b.slice(db + 1));
}

/** Hands out strictly increasing cursors, even when the clock stands still or steps back. */
export class CursorClock {
  /** -1 until the first cursor, so that a clock reading 0 still starts at `0-0`. */
  private lastMs = -1;
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  next(): Cursor {
    const ms = this.now();
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.seq = 0;
    } else {
      this.seq++;
    }
    return `${this.lastMs}-${this.seq}`;
  }

  /** The newest cursor handed out or observed, or `null` before the first. */
  last(): Cursor | null {
    return this.lastMs < 0 ? null : `${this.lastMs}-${this.seq}`;
  }

  /** Moves the clock past a cursor handed out elsewhere (a restored history, another gateway). */
  observe(cursor: Cursor): void {
    const dash = cursor.indexOf('-');
    const ms = Number(cursor.slice(0, dash));
    const seq = Number(cursor.slice(dash + 1));
    if (ms > this.lastMs || (ms === this.lastMs && seq > this.seq)) {
      this.lastMs = ms;
      this.seq = seq;
    }
  }
}

/** Milliseconds since the epoch at which a cursor was handed out. */
export function cursorTime(cursor: Cursor): number {
  // The digits before the dash: parseInt stops there.
  return Number.parseInt(cursor, 10);
}
