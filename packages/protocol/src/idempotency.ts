/**
 * The `Idempotency-Key` request header of a publish (the IETF httpapi draft's header): a publisher sends
 * one key per batch and the same key with every retry of that batch, so a batch the gateway stored but
 * whose answer was lost is stored once.
 */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Longest key, in characters, between the quotes. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Answer header that marks a replayed answer: the request repeated one already stored. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

// Printable ASCII without space, quote and backslash: nothing a Structured Field string must escape.
const KEY = /^[\x21\x23-\x5b\x5d-\x7e]{1,255}$/;

/**
 * The key of an `Idempotency-Key` header value: a Structured Field string (`"8e03978e-..."`, the
 * draft's form) or, leniently, the same characters without the quotes. `undefined` when the value is
 * anything else (empty, too long, spaces, escapes, several values): the gateway answers such a request
 * 400 `invalid_idempotency_key`.
 *
 * @example
 * parseIdempotencyKey('"b7c1f1e0-batch-7"'); // 'b7c1f1e0-batch-7'
 */
export function parseIdempotencyKey(value: string): string | undefined {
  const text = value.trim();
  const inner = text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
  return KEY.test(inner) ? inner : undefined;
}

/** The header value for `key`, quoted as the draft asks. Throws on a key `parseIdempotencyKey` refuses. */
export function formatIdempotencyKey(key: string): string {
  if (!KEY.test(key)) {
    throw new TypeError(
      'formatIdempotencyKey: a key is 1 to 255 printable ASCII characters without spaces, quotes or backslashes',
    );
  }
  return `"${key}"`;
}
