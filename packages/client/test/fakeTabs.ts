import { vi } from 'vitest';

/** One tab of the fake browser: while frozen, its code waits; once crashed, it never runs again. */
export interface FakeTab {
  readonly id: string;
  frozen: boolean;
  crashed: boolean;
  /** Runs `fn` as the tab would: now, on thaw, or never. */
  run(fn: () => void): void;
  /** Timers for the tab's client: they stand still while the tab is frozen, as a frozen page's do. */
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  freeze(): void;
  thaw(): void;
  /** The renderer dies: its code stops and the browser releases its locks. */
  crash(): void;
}

interface Waiter {
  tab: FakeTab;
  name: string;
  callback: (lock: { name: string }) => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

const abortError = (message: string) => new DOMException(message, 'AbortError');

/**
 * Web Locks and BroadcastChannel for several tabs in one process, as a browser has them: exclusive
 * locks granted in request order, `steal`, `signal`, `query`, locks released when their callback's
 * promise settles or their tab crashes; a channel per name that delivers a copy of each message to
 * every other instance of the name, later. `openTab` stubs the globals a tab's client reads when it
 * is created, and `joined` waits until the tab asked for its first lock (its channel exists by then).
 */
export function createFakeBrowser() {
  const held = new Map<string, Waiter>();
  const queues = new Map<string, Waiter[]>();
  const channels = new Set<{ name: string; tab: FakeTab; closed: boolean; onmessage: unknown }>();
  const requests = new Map<FakeTab, number>();

  function grant(waiter: Waiter): void {
    held.set(waiter.name, waiter);
    waiter.tab.run(() => {
      Promise.resolve(waiter.callback({ name: waiter.name })).then(
        (value) => settle(waiter, () => waiter.resolve(value)),
        (reason) => settle(waiter, () => waiter.reject(reason)),
      );
    });
  }

  function settle(waiter: Waiter, finish: () => void): void {
    finish();
    if (held.get(waiter.name) !== waiter) return;
    held.delete(waiter.name);
    pump(waiter.name);
  }

  function pump(name: string): void {
    if (held.has(name)) return;
    const next = queues.get(name)?.shift();
    if (next) grant(next);
  }

  function locksOf(tab: FakeTab) {
    return {
      request(
        name: string,
        options: { signal?: AbortSignal; steal?: boolean },
        callback: Waiter['callback'],
      ): Promise<unknown> {
        requests.set(tab, (requests.get(tab) ?? 0) + 1);
        return new Promise((resolve, reject) => {
          const waiter: Waiter = { tab, name, callback, resolve, reject };
          if (options.steal) {
            const holder = held.get(name);
            held.delete(name);
            holder?.tab.run(() => holder.reject(abortError('the lock was stolen')));
            grant(waiter);
            return;
          }
          options.signal?.addEventListener('abort', () => {
            const queue = queues.get(name) ?? [];
            if (!queue.includes(waiter)) return;
            queue.splice(queue.indexOf(waiter), 1);
            reject(abortError('the request was aborted'));
          });
          queues.set(name, [...(queues.get(name) ?? []), waiter]);
          pump(name);
        });
      },
      query: async () => ({ held: [...held.values()].map(({ name }) => ({ name })), pending: [] }),
    };
  }

  function channelClassOf(tab: FakeTab) {
    return class FakeBroadcastChannel {
      onmessage: ((event: { data: unknown }) => void) | null = null;
      closed = false;
      constructor(readonly name: string) {
        channels.add(this as never);
      }
      get tab() {
        return tab;
      }
      postMessage(data: unknown): void {
        // A frozen tab posts nothing until it runs again.
        tab.run(() => {
          const copy = structuredClone(data);
          for (const other of channels as Set<FakeBroadcastChannel>) {
            if (other === this || other.name !== this.name || other.closed) continue;
            setTimeout(() => other.tab.run(() => !other.closed && other.onmessage?.({ data: copy })));
          }
        });
      }
      close(): void {
        this.closed = true;
        channels.delete(this as never);
      }
    };
  }

  let count = 0;
  function openTab(): FakeTab {
    let waiting: (() => void)[] = [];
    const tab: FakeTab = {
      id: `tab-${++count}`,
      frozen: false,
      crashed: false,
      run(fn) {
        if (tab.crashed) return;
        if (tab.frozen) waiting.push(fn);
        else fn();
      },
      timers: {
        setTimeout: (fn, ms) => setTimeout(() => tab.run(fn), ms),
        clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
      freeze() {
        tab.frozen = true;
      },
      thaw() {
        tab.frozen = false;
        for (const fn of waiting.splice(0)) fn();
      },
      crash() {
        tab.crashed = true;
        waiting = [];
        for (const [name, waiter] of held) {
          if (waiter.tab !== tab) continue;
          held.delete(name);
          pump(name);
        }
        for (const queue of queues.values()) {
          for (const waiter of [...queue]) if (waiter.tab === tab) queue.splice(queue.indexOf(waiter), 1);
        }
      },
    };
    vi.stubGlobal('navigator', { locks: locksOf(tab) });
    vi.stubGlobal('BroadcastChannel', channelClassOf(tab));
    return tab;
  }

  return {
    openTab,
    /** Resolves once `tab` asked for a lock: its group name, and so its channel, are set. */
    joined: (tab: FakeTab) => vi.waitUntil(() => (requests.get(tab) ?? 0) > 0, { timeout: 5000 }),
  };
}
