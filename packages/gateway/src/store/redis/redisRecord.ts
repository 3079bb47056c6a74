import type { AppendOnce, AppendOnceResult } from '../store';

/**
 * An idempotency record as Redis keeps it: `<fingerprint>\n<status>\n<body>`. The fingerprint is
 * base64url and the status digits, so the first two line breaks split it; the body is JSON on one line.
 */
export function recordOf(once: AppendOnce): string {
  return `${once.fingerprint}\n${once.answer.status}\n${once.answer.body}`;
}

/** The record written by {@link recordOf}, or `undefined` for anything else under the key. */
export function parseRecord(value: string): Extract<AppendOnceResult, { replay: unknown }> | undefined {
  const first = value.indexOf('\n');
  const second = value.indexOf('\n', first + 1);
  if (first <= 0 || second <= first) return undefined;
  const status = Number(value.slice(first + 1, second));
  if (!Number.isInteger(status)) return undefined;
  return { fingerprint: value.slice(0, first), replay: { status, body: value.slice(second + 1) } };
}
