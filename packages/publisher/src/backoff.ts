/**
 * Wait before retry number `attempt` (0 for the first): "full jitter", a uniform draw between 0 and an
 * exponentially growing cap, so that many publishers that lost the same gateway do not come back in step.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}
