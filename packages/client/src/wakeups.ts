/**
 * Calls `onWake` when a browser page comes back online or becomes visible, the moments when waiting out
 * a backoff delay only delays the user. Does nothing outside browsers (Node, SSR, workers without a
 * document), where neither event exists. Returns the function that stops listening.
 */
export function watchWakeups(onWake: () => void): () => void {
  const onVisible = () => document.visibilityState === 'visible' && onWake();
  const listen = (method: 'addEventListener' | 'removeEventListener') => {
    if (typeof window === 'object') window[method]?.('online', onWake);
    if (typeof document === 'object') document[method]('visibilitychange', onVisible);
  };
  listen('addEventListener');
  return () => listen('removeEventListener');
}

/** `false` only when the runtime knows it is offline; Node does not know, and says `true` here. */
export function isOnline(): boolean {
  return typeof navigator !== 'object' || navigator.onLine !== false;
}
