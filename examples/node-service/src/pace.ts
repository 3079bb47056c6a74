/** What every sample service is told: where it runs, how long, and how fast. */
export interface ServiceRunOptions {
  /** Workspace of every channel the service writes to. */
  workspace: string;
  /** How many runs before the service returns. `Infinity` runs until `signal` aborts. */
  runs: number;
  /** Base delay between simulated steps, in milliseconds; `0` runs as fast as the publisher takes it. */
  paceMs: number;
  /** Stops the service at its next step. */
  signal?: AbortSignal;
  /** Random numbers in [0, 1), to make runs reproducible. Defaults to `Math.random`. */
  random?: () => number;
}

/**
 * Waits `ms` to simulate work, or less when `signal` aborts. Resolves `false` once aborted, so that a
 * loop can write `if (!(await pause(ms, signal))) return;`.
 */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A whole number from `min` to `max`, both included. */
export function between(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
