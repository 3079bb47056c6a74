import type { StatusEntry } from '@logs-sse/react';

/**
 * Whether to show a run as done. `useLogsSSE`'s `done` stays `true` once a resource reported it, also
 * while a later run of the same resource reports new phases; the run is shown as done only while its
 * newest status says it ended (100 % or failed).
 */
export function runDone(status: StatusEntry | undefined, done: boolean): boolean {
  return done && (status?.progress === 100 || status?.phase === 'failed');
}
