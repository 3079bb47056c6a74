/**
 * `fn`, or with `pause` a function that calls it at once while the page is visible and otherwise once,
 * when the page shows again (the next `visibilitychange` of a hidden page). A hidden tab renders nothing
 * nobody sees, while the client keeps receiving: what arrived meanwhile is in its buffers then.
 */
export function whenVisible(pause: boolean | undefined, fn: () => void): () => void {
  // The same listener added twice is one listener: each wait ends in one call.
  return pause
    ? () =>
        // (No document, as in React Native: always visible.)
        globalThis.document?.hidden ? document.addEventListener('visibilitychange', fn, { once: true }) : fn()
    : fn;
}
