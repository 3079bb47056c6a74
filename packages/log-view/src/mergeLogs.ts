import { compareCursors, type LogEntry } from '@logs-sse/protocol';

/**
 * Several lists of entries (one per channel, each oldest first) as one list in cursor order, the order
 * the gateway stored them in across channels. An entry present in two lists (two patterns covering the
 * same channel) appears once. A single list is returned as it is.
 *
 * @example
 * const etl = useLogsSSE({ service: 'etl', workspace_id: ws, resource_id: 'nightly' });
 * const api = useLogsSSE({ service: 'api', workspace_id: ws, resource_id: 'gateway' });
 * const logs = useMemo(() => mergeLogs([etl.logs, api.logs]), [etl.logs, api.logs]);
 * return <LogView logs={logs} />;
 */
export function mergeLogs(lists: ReadonlyArray<readonly LogEntry[]>): readonly LogEntry[] {
  const nonEmpty = lists.filter((list) => list.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? lists[0] ?? [];
  const merged: LogEntry[] = [];
  const at = nonEmpty.map(() => 0);
  for (;;) {
    let best = -1;
    for (let k = 0; k < nonEmpty.length; k++) {
      const candidate = nonEmpty[k]![at[k]!];
      if (candidate === undefined) continue;
      if (best === -1 || compareCursors(candidate.id, nonEmpty[best]![at[best]!]!.id) < 0) best = k;
    }
    if (best === -1) return merged;
    const entry = nonEmpty[best]![at[best]!]!;
    at[best]!++;
    if (merged.at(-1)?.id !== entry.id) merged.push(entry);
  }
}
