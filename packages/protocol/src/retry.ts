/**
 * The retry contract every reader and publisher follows (docs/protocol.md, "Retrying"): which answers
 * are worth sending again, and how long `Retry-After` asks to wait.
 */

/**
 * The longest wait a `Retry-After` can ask for: the largest delay `setTimeout` honours (about 24.8
 * days). A larger one would fire at once, the opposite of what the server asked.
 */
const MAX_RETRY_AFTER_MS = 2_147_483_647;

/**
 * Whether an answer with this status means "later", not "never": 408, 429 and every 5xx. Any other
 * 4xx would be refused again, so the same request is not sent twice.
 *
 * @example isRetryableStatus(503) // true
 * @example isRetryableStatus(403) // false
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Milliseconds a `Retry-After` value asks to wait from `now` (epoch milliseconds): delay-seconds
 * (`120`: digits only, as HTTP defines them) or an HTTP date in any of its three forms, a date in the
 * past being 0. `undefined` when the value is missing or unreadable (a negative number, a fraction,
 * text), so the caller keeps its own backoff. Never more than about 24.8 days.
 *
 * @example parseRetryAfter('5', Date.now()) // 5000
 * @example parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2015, 9, 21, 7, 27)) // 60000
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  // Parsed HTTP fields carry no surrounding whitespace: fetch and Node both strip it.
  if (!value) return undefined;
  // A date starts with its day name: without that test, `Date.parse` reads "5" or "-5" as a year.
  // HTTP dates are in GMT, and the asctime form does not say so.
  const ms = /^\d+$/.test(value)
    ? Number(value) * 1000
    : /^[a-z]/i.test(value)
      ? Date.parse(value.replace(/( GMT)?$/, ' GMT')) - now
      : Number.NaN;
  return Number.isNaN(ms) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
