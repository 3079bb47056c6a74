/**
 * Calls `onWake` when a browser page comes back online or becomes visible, the moments when waiting out
 * a backoff delay only delays the user (a worker hears `online` only). Does nothing where neither event
 * exists (Node, SSR). Returns the function that stops listening.
 */
export function watchWakeups(onWake: () => void): () => void {
  const onVisible = () => document.visibilityState === 'visible' && onWake();
  const listen = (method: 'addEventListener' | 'removeEventListener') => {
    // `globalThis` is the window of a page and the scope of a worker; Node's has no such methods.
    globalThis[method]?.('online', onWake);
    if (typeof document === 'object') document[method]('visibilitychange', onVisible);
  };
  listen('addEventListener');
  return () => listen('removeEventListener');
}

/** `false` only when the runtime knows it is offline; Node does not know, and says `true` here. */
export function isOnline(): boolean {
  return globalThis.navigator?.onLine !== false;
}
