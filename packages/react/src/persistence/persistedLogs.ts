import type { LogEntry } from '@logs-sse/protocol';
import { type PersistStorage, persist, type StorageValue } from 'zustand/middleware';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { PersistenceStorage } from './storage';

/** What one hook keeps across navigation and reloads. */
export interface PersistedLogs {
  logs: readonly LogEntry[];
  /** Cursor of the newest saved entry: where the stream resumes after a reload. */
  cursor: string | null;
}

/** Version of the stored shape; `migrate` brings older shapes up to it. */
export const PERSISTED_VERSION = 1;

/** Nothing saved: shared, and frozen, so that every hook can hand out its `logs` as they are. */
export const EMPTY_SAVED: PersistedLogs = { logs: Object.freeze([]), cursor: null };
const stores = new WeakMap<PersistenceStorage, Map<string, StoreApi<PersistedLogs>>>();

/**
 * The persisted store of one key. Stores are shared per storage and key, so that a component that
 * unmounts on navigation finds its logs again when it comes back.
 */
export function persistedLogsStore(storage: PersistenceStorage, key: string): StoreApi<PersistedLogs> {
  const byKey = stores.get(storage) ?? new Map<string, StoreApi<PersistedLogs>>();
  stores.set(storage, byKey);
  let store = byKey.get(key);
  if (store === undefined) {
    store = createStore<PersistedLogs>()(
      persist(() => EMPTY_SAVED, {
        name: key,
        version: PERSISTED_VERSION,
        storage: guardedStorage(storage),
        migrate: migratePersistedLogs,
      }),
    );
    byKey.set(key, store);
  }
  return store;
}

/** Version 0 stored a bare array of entries; anything else unknown starts empty. */
export function migratePersistedLogs(persisted: unknown, version: number): PersistedLogs {
  return sanitize(version === 0 && Array.isArray(persisted) ? { logs: persisted } : persisted);
}

/**
 * Storage that never throws into the app: unreadable data is dropped with a warning, and a full
 * storage (quota exceeded) keeps the newest half of the logs, then a quarter, and so on.
 */
function guardedStorage(storage: PersistenceStorage): PersistStorage<PersistedLogs> {
  return {
    getItem(name) {
      let value: StorageValue<PersistedLogs> | null;
      try {
        const text = storage.getItem(name);
        if (text === null) return null;
        value = JSON.parse(text);
      } catch {
        value = null;
      }
      if (typeof value?.version !== 'number') {
        warnUnreadable();
        safeRemove(storage, name);
        return null;
      }
      return value.version === PERSISTED_VERSION ? { ...value, state: sanitize(value.state) } : value;
    },
    setItem(name, value) {
      let logs = value.state.logs;
      for (;;) {
        try {
          storage.setItem(name, JSON.stringify({ ...value, state: { ...value.state, logs } }));
          return;
        } catch {
          if (logs.length === 0) return;
          logs = logs.slice(Math.ceil(logs.length / 2));
        }
      }
    },
    removeItem: (name) => safeRemove(storage, name),
  };
}

function sanitize(state: unknown): PersistedLogs {
  const { logs, cursor } = (state ?? {}) as { logs?: unknown; cursor?: unknown };
  if (!Array.isArray(logs)) return EMPTY_SAVED;
  const valid = logs.filter(
    (entry): entry is LogEntry => typeof entry?.id === 'string' && typeof entry.message === 'string',
  );
  if (valid.length !== logs.length) warnUnreadable();
  return { logs: valid, cursor: typeof cursor === 'string' ? cursor : (valid.at(-1)?.id ?? null) };
}

function warnUnreadable(): void {
  console.warn('logs-sse: ignored saved logs it could not read');
}

function safeRemove(storage: PersistenceStorage, name: string): void {
  try {
    storage.removeItem(name);
  } catch {
    // Nothing more to do: the next write replaces it.
  }
}
