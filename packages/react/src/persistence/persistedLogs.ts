import { isCursor, type LogEntry } from '@logs-sse/protocol';
import type { PersistenceStorage } from './storage';

/** What one hook keeps across navigation and reloads. */
export interface PersistedLogs {
  logs: readonly LogEntry[];
  /** Cursor of the newest saved entry: where the stream resumes after a reload. */
  cursor: string | null;
  /**
   * The epoch of the gateway's history the cursor belongs to (`stats().epoch`): a gateway with another
   * epoch lost that history, and the saved logs are dropped rather than resumed from.
   */
  epoch?: string | null;
}

/** The saved logs of one key: read once when opened, written through on every change. */
export interface PersistedLogsStore {
  getState(): PersistedLogs;
  setState(change: Partial<PersistedLogs>): void;
}

/** Version of the stored shape, `{ state, version }`; `migrate` brings older shapes up to it. */
export const PERSISTED_VERSION = 1;

/** Nothing saved: shared, and frozen, so that every hook can hand out its `logs` as they are. */
export const EMPTY_SAVED: PersistedLogs = { logs: Object.freeze([]), cursor: null };
const stores = new WeakMap<PersistenceStorage, Map<string, PersistedLogsStore>>();

/**
 * The persisted store of one key. Stores are shared per storage and key, so that a component that
 * unmounts on navigation finds its logs again when it comes back. Storage never throws into the app:
 * unreadable data is dropped with a warning, and a full storage (quota exceeded) keeps the newest half
 * of the logs, then a quarter, and so on.
 */
export function persistedLogsStore(storage: PersistenceStorage, key: string): PersistedLogsStore {
  const byKey = stores.get(storage) ?? new Map<string, PersistedLogsStore>();
  stores.set(storage, byKey);
  let store = byKey.get(key);
  if (store === undefined) {
    let state = read(storage, key);
    store = {
      getState: () => state,
      setState(change) {
        state = { ...state, ...change };
        let logs = state.logs;
        for (;;) {
          try {
            storage.setItem(key, JSON.stringify({ state: { ...state, logs }, version: PERSISTED_VERSION }));
            return;
          } catch {
            if (logs.length === 0) return;
            logs = logs.slice(Math.ceil(logs.length / 2));
          }
        }
      },
    };
    byKey.set(key, store);
  }
  return store;
}

/** Version 0 stored a bare array of entries; anything else unknown starts empty. */
export function migratePersistedLogs(persisted: unknown, version: number): PersistedLogs {
  return sanitize(version === 0 && Array.isArray(persisted) ? { logs: persisted } : persisted);
}

function read(storage: PersistenceStorage, key: string): PersistedLogs {
  let value: { state?: unknown; version?: unknown } | null;
  try {
    const text = storage.getItem(key);
    if (text === null) return EMPTY_SAVED;
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  if (typeof value?.version !== 'number') {
    warnUnreadable();
    try {
      storage.removeItem(key);
    } catch {
      // Nothing more to do: the next write replaces it.
    }
    return EMPTY_SAVED;
  }
  return migratePersistedLogs(value.state, value.version);
}

function sanitize(state: unknown): PersistedLogs {
  const { logs, cursor, epoch } = (state ?? {}) as { logs?: unknown; cursor?: unknown; epoch?: unknown };
  if (!Array.isArray(logs)) return EMPTY_SAVED;
  const valid = logs.filter(
    (entry): entry is LogEntry => isCursor(entry?.id) && typeof entry.message === 'string',
  );
  if (valid.length !== logs.length) warnUnreadable();
  return {
    logs: valid,
    // Not cursors (damaged storage): the client would refuse them.
    cursor: isCursor(cursor) ? cursor : (valid.at(-1)?.id ?? null),
    epoch: isCursor(epoch) ? epoch : null,
  };
}

function warnUnreadable(): void {
  console.warn('logs-sse: ignored saved logs it could not read');
}
