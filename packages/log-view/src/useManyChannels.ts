import { compareCursors, type LogEntry } from '@logs-sse/protocol';
import { useMemo, useRef } from 'react';

/**
 * Whether the entries come from more than one channel. Each batch costs only its new entries: the
 * channels seen are kept, and a list that does not continue the previous one starts the count over.
 */
export function useManyChannels(entries: readonly LogEntry[]): boolean {
  const seen = useRef<{ channels: Set<string>; last: LogEntry | undefined }>({
    channels: new Set(),
    last: undefined,
  });
  return useMemo(() => {
    const state = seen.current;
    const { last } = state;
    let i = entries.length - 1;
    while (
      i >= 0 &&
      entries[i] !== last &&
      (last === undefined || compareCursors(entries[i]!.id, last.id) > 0)
    ) {
      state.channels.add(entries[i]!.channel);
      i--;
    }
    if (i < 0 && last !== undefined) {
      // Not a continuation (cleared, or another list): count again from what is there now.
      state.channels = new Set(entries.map((entry) => entry.channel));
    }
    state.last = entries.at(-1);
    return state.channels.size > 1;
  }, [entries]);
}
