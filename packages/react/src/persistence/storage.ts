/** The part of the Web Storage API that persistence needs; `sessionStorage` and `localStorage` fit. */
export interface PersistenceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Where persisted logs live: `'session'` (the tab's `sessionStorage`, kept across reloads), `'local'`
 * (`localStorage`, shared by the origin's tabs and kept across restarts), `'memory'` (kept across
 * navigation inside the page only), or any object with `getItem`, `setItem` and `removeItem`.
 */
export type PersistenceOption = 'session' | 'local' | 'memory' | PersistenceStorage;

/** One per page, so that every provider with `persistence="memory"` finds the same logs. */
const items = new Map<string, string>();
const pageMemory: PersistenceStorage = {
  getItem: (key) => items.get(key) ?? null,
  setItem: (key, value) => {
    items.set(key, value);
  },
  removeItem: (key) => {
    items.delete(key);
  },
};

/** Resolves the option to a storage; where Web Storage is missing or blocked (SSR, privacy modes), memory. */
export function resolveStorage(option: PersistenceOption): PersistenceStorage {
  if (typeof option === 'object') return option;
  if (option === 'memory') return pageMemory;
  try {
    const storage = option === 'local' ? globalThis.localStorage : globalThis.sessionStorage;
    if (storage) return storage;
  } catch {
    // Reading sessionStorage throws where the page may not use storage.
  }
  return pageMemory;
}
