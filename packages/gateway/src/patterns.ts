/**
 * Channel patterns, pre-split once so matching an entry against many subscriptions costs three string
 * comparisons per pattern instead of re-parsing both names every time.
 */
export class ChannelPattern {
  readonly segments: readonly [string, string, string];
  readonly isExact: boolean;

  /** `pattern` must already be a valid channel pattern (see `isValidChannelPattern`). */
  constructor(readonly source: string) {
    const parts = source.split(':');
    this.segments = [parts[1]!, parts[2]!, parts[3]!];
    this.isExact = !source.includes('*');
  }

  /** Whether a concrete channel, given as its three segments, falls under this pattern. */
  matchesSegments(segments: readonly string[]): boolean {
    const [a, b, c] = this.segments;
    return (
      (a === '*' || a === segments[0]) && (b === '*' || b === segments[1]) && (c === '*' || c === segments[2])
    );
  }

  /**
   * Whether every channel `other` can match is also matched by this pattern. Segments are unbounded sets,
   * so a union of patterns covers `other` only when one of them does: checking patterns one by one is exact.
   */
  covers(other: ChannelPattern): boolean {
    for (let i = 0; i < 3; i++) {
      const mine = this.segments[i]!;
      if (mine !== '*' && mine !== other.segments[i]) return false;
    }
    return true;
  }
}

/**
 * A copy of `text` that shares no memory with the string it was cut from. V8 keeps a substring as a view
 * of the whole string, so a channel name cut from a request's URL would keep the URL alive (an
 * `access_token` in it included) for as long as the name is held.
 */
export function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** Splits a concrete channel into its three segments. */
export function channelSegments(channel: string): string[] {
  const parts = channel.split(':');
  return [parts[1]!, parts[2]!, parts[3]!];
}

/** Whether the allowed patterns let a token read everything `requested` may match. */
export function isCovered(requested: ChannelPattern, allowed: readonly ChannelPattern[]): boolean {
  for (const pattern of allowed) if (pattern.covers(requested)) return true;
  return false;
}
