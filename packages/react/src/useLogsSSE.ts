import {
  appendNewer,
  type ClientStatus,
  type LogsClient,
  type LogsClientError,
  type LogsFilter,
  selectLogs,
} from '@logs-sse/client';
import type { LogEntry, LogLevel, StatusEntry } from '@logs-sse/protocol';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { type ChannelSelector, channelOf } from './channelOf';
import { useLogsSSEContext } from './context';
import { EMPTY_SAVED, type PersistedLogs, persistedLogsStore } from './persistence/persistedLogs';
import { useConnection } from './useLogsConnection';
import { useStatusOf } from './useLogsStatus';
import { whenVisible } from './whenVisible';

export interface UseLogsSSEOptions extends ChannelSelector {
  /** Most entries the hook returns, newest kept. Defaults to `1000` (bounded by the provider's `bufferSize`). */
  maxLogs?: number;
  /** Lowest level shown. Defaults to every level. */
  level?: LogLevel;
  /**
   * Which entries to show; changing it re-filters without re-subscribing. An object is compared by
   * value; a function by identity, so wrap it in `useCallback`. Defaults to all.
   */
  filter?: LogsFilter;
  /**
   * How many recent entries to load when the channel is first subscribed, so a view opened on a running
   * job shows where it stands; `0` for only what comes next. Defaults to `100`.
   */
  tail?: number;
  /** Keep the logs across navigation and reloads, in the provider's storage. Defaults to `false`. */
  persistence?: boolean;
  /** Storage key of the saved logs. Defaults to `logs-sse:` followed by the channel. */
  persistenceKey?: string;
  /** `false` subscribes to nothing (the connection is not opened for this hook). Defaults to `true`. */
  enabled?: boolean;
}

export interface UseLogsSSEResult {
  /** The entries to show, oldest first; the same array until a new batch arrives or an option changes. */
  logs: readonly LogEntry[];
  connectionStatus: ClientStatus;
  isConnected: boolean;
  lastLog: LogEntry | undefined;
  /** The newest `status` event of the channel (phase, progress), as {@link useLogsStatus} reads it. */
  status: StatusEntry | undefined;
  /** Whether the resource reported `done`. */
  done: boolean;
  error: LogsClientError | undefined;
  /** Hides the entries shown so far (and forgets the saved ones); new entries keep coming. */
  clear: () => void;
}

const PERSIST_EVERY_MS = 500;
const noop = () => {};

/**
 * Live logs of one channel, over the provider's shared connection.
 *
 * @example
 * const { logs, isConnected } = useLogsSSE({ service: 'etl', workspace_id: ws, workflow_id: runId });
 */
export function useLogsSSE(options: UseLogsSSEOptions): UseLogsSSEResult {
  const { client, storage, pause } = useLogsSSEContext('useLogsSSE');
  const {
    maxLogs = 1000,
    level,
    filter,
    tail = 100,
    persistence = false,
    persistenceKey,
    enabled = true,
  } = options;
  const channel = enabled ? channelOf(options) : undefined;
  const persisted = useMemo(
    () =>
      persistence && channel
        ? persistedLogsStore(storage, persistenceKey ?? `logs-sse:${channel}`)
        : undefined,
    [persistence, channel, storage, persistenceKey],
  );

  // What was saved when this channel's store was opened; later writes come from this hook itself.
  const savedAtOpen = useMemo(() => persisted?.getState() ?? EMPTY_SAVED, [persisted]);
  const kept = useSyncExternalStore(
    noopSubscribe,
    () => savedAtOpen,
    () => EMPTY_SAVED,
  );
  const [cleared, setCleared] = useState<{ channel: string | undefined; at: string }>();

  // The saved logs once dropped: they belong to a history the gateway no longer has (another epoch).
  const [stale, setStale] = useState<PersistedLogs>();
  const subscribe = useCallback(
    (onChange: () => void) => {
      if (channel === undefined) return noop;
      /** Drops what was saved when the gateway's epoch is not the one it was saved under. */
      const checkEpoch = () => {
        const kept = persisted?.getState().epoch;
        const epoch = kept && client.stats().epoch;
        if (!epoch || epoch === kept) return;
        persisted!.setState({ logs: EMPTY_SAVED.logs, cursor: null, epoch });
        setStale(savedAtOpen);
      };
      checkEpoch();
      const render = whenVisible(pause, onChange);
      return client.subscribe(channel, {
        onChange: () => {
          checkEpoch();
          render();
        },
        // The gateway's history is gone, and with it what was saved: the client emptied its buffer, and
        // the saved entries are hidden. (Not by cursor: a history whose clock stood ahead left cursors
        // newer than the new entries.)
        onGap: (gap) => gap.reason === 'reset' && setStale(savedAtOpen),
        tail,
        since: persisted?.getState().cursor ?? undefined,
        epoch: persisted?.getState().epoch ?? undefined,
      });
    },
    [client, channel, tail, persisted, savedAtOpen, pause],
  );
  const live = useSyncExternalStore(
    subscribe,
    // (No channel: the client's shared empty list.)
    () => client.getLogs(channel as string),
    () => EMPTY_SAVED.logs,
  );

  const saved = kept === stale ? EMPTY_SAVED : kept;
  const clearedAt = cleared?.channel === channel ? cleared?.at : undefined;
  // Everything the hook holds (saved, then live, less what `clear()` hid); this is what is persisted.
  const retained = useMemo(
    () => selectLogs(appendNewer(saved.logs, live), { max: maxLogs, after: clearedAt }),
    [saved, live, clearedAt, maxLogs],
  );
  usePersist(persisted, retained, client);
  // An object filter is compared by value, so `filter={{ level: 'warn' }}` written inline costs nothing.
  const filterKey = typeof filter === 'object' ? `${filter.level}\u0000${filter.search}` : filter;
  // biome-ignore lint/correctness/useExhaustiveDependencies: filterKey stands for filter
  const logs = useMemo(
    () => selectLogs(retained, { max: maxLogs, level, filter }),
    [retained, maxLogs, level, filterKey],
  );

  const clear = useCallback(() => {
    const last = retained.at(-1);
    if (last === undefined) return;
    setCleared({ channel, at: last.id });
    persisted?.setState({ logs: EMPTY_SAVED.logs, cursor: last.id });
  }, [retained, channel, persisted]);

  const connection = useConnection(client);
  const { status, done } = useStatusOf(client, channel, pause);
  return {
    logs,
    connectionStatus: connection.status,
    isConnected: connection.isConnected,
    lastLog: logs.at(-1),
    status,
    done,
    error: connection.error,
    clear,
  };
}

function noopSubscribe(): () => void {
  return noop;
}

/**
 * Writes the entries (already bounded to `maxLogs`), their cursor and the gateway's epoch at most every
 * 500 ms, and on unmount.
 */
function usePersist(
  persisted: ReturnType<typeof persistedLogsStore> | undefined,
  logs: readonly LogEntry[],
  client: LogsClient,
): void {
  const latest = useRef(logs);
  latest.current = logs;
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const write = useRef<() => void>(noop);
  useEffect(() => {
    if (persisted === undefined) return;
    write.current = () => {
      timer.current = undefined;
      const kept = latest.current;
      const last = kept.at(-1);
      if (last === undefined || last.id === persisted.getState().cursor) return;
      persisted.setState({ logs: kept, cursor: last.id, epoch: client.stats().epoch ?? null });
    };
    return () => {
      clearTimeout(timer.current);
      write.current();
      write.current = noop;
    };
  }, [persisted, client]);
  useEffect(() => {
    if (persisted === undefined || logs.length === 0 || timer.current !== undefined) return;
    timer.current = setTimeout(() => write.current(), PERSIST_EVERY_MS);
  }, [persisted, logs]);
}
