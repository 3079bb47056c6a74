/**
 * Calls `onWake` when a browser page comes back online or becomes visible, the moments when waiting out
 * a backoff delay only delays the user. Does nothing outside browsers (Node, SSR, workers without a
 * document), where neither event exists.
 */
export function watchWakeups(onWake: () => void): () => void {
  const target = typeof window === 'object' ? window : undefined;
  const doc = typeof document === 'object' ? document : undefined;
  const onVisibility = () => {
    if (doc?.visibilityState === 'visible') onWake();
  };
  target?.addEventListener?.('online', onWake);
  doc?.addEventListener('visibilitychange', onVisibility);
  return () => {
    target?.removeEventListener?.('online', onWake);
    doc?.removeEventListener('visibilitychange', onVisibility);
  };
}

/** `false` only when the runtime knows it is offline; Node does not know, and says `true` here. */
export function isOnline(): boolean {
  return typeof navigator !== 'object' || navigator.onLine !== false;
}
