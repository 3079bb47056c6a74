/**
 * The delay before connection attempt `attempt + 1` after `attempt` failures in a row:
 * `base * factor^attempt`, capped at `maxDelayMs`, of which a `jitter` share is random. `base` is
 * `initialDelayMs` until the server sends `retry:`.
 */
export function backoffDelay(
  attempt: number,
  base: number,
  factor: number,
  maxDelayMs: number,
  jitter: number,
  random: () => number,
): number {
  return Math.round(Math.min(maxDelayMs, base * factor ** attempt) * (1 - jitter + jitter * random()));
}
