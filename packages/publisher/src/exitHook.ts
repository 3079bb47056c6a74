/**
 * Flushes before the process ends: on `beforeExit` (the event loop ran dry) and on `SIGTERM`. The flush
 * holds the process open for at most `closeTimeoutMs`. A `SIGTERM` listener turns off
 * Node's default "exit on SIGTERM", so when no other listener remains the signal is raised again once the
 * flush is over and the process ends as it would have without us. Returns the function that uninstalls it.
 */
export function installExitHook(close: () => Promise<void>): () => void {
  let installed = true;
  const uninstall = () => {
    if (!installed) return;
    installed = false;
    process.off('beforeExit', onBeforeExit);
    process.off('SIGTERM', onSigterm);
  };
  const flushThen = (after: () => void) => {
    uninstall();
    // close() holds the process open until it is done or its deadline passes; it never rejects.
    void close().then(after);
  };
  const onBeforeExit = () => flushThen(() => {});
  const onSigterm = () =>
    flushThen(() => {
      if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
    });
  process.on('beforeExit', onBeforeExit);
  process.on('SIGTERM', onSigterm);
  return uninstall;
}
