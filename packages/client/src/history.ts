import { type HistoryResponse, isCursor, type LogEntry } from '@logs-sse/protocol';

/** The gateway's history endpoint (`API_PATHS.history`), inlined to keep the protocol's table out of bundles. */
const HISTORY_PATH = '/api/logs/history';

/**
 * Loads a channel's kept log entries, oldest first: `query` is `tail=N` or `since=<cursor>` (plus the
 * stream's `level`). Resolves to an empty list on any failure: history is a convenience, the live
 * stream is not affected.
 */
export async function loadHistory(
  fetchFn: typeof fetch,
  baseUrl: string,
  init: RequestInit,
  channel: string,
  query: string,
): Promise<LogEntry[]> {
  try {
    const response = await fetchFn(
      `${baseUrl}${HISTORY_PATH}?channel=${encodeURIComponent(channel)}&${query}`,
      init,
    );
    const body = (await response.json()) as Partial<HistoryResponse> | null;
    // History answers hold status and done entries too; only log lines go to the log buffer.
    return response.ok && Array.isArray(body?.logs)
      ? (body.logs as LogEntry[]).filter(
          (entry: LogEntry & { type?: unknown }) =>
            entry?.type === 'log' && isCursor(entry.id) && typeof entry.message === 'string',
        )
      : [];
  } catch {
    return [];
  }
}
