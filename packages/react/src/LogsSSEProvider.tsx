import { createLogsClient, type LogsClient, type LogsClientOptions } from '@logs-sse/client';
import { type ReactNode, useMemo, useState } from 'react';
import { LogsSSEContext, type LogsSSEContextValue } from './context';
import { type PersistenceOption, resolveStorage } from './persistence/storage';

export interface LogsSSEProviderProps {
  /** Base URL of the gateway, such as `https://logs.example.com`. Required unless `client` is given. */
  gatewayUrl?: string;
  /**
   * Bearer token, or a function returning one (called before each connection, so use a function for
   * tokens that expire). Like `gatewayUrl`, `headers` and `bufferSize`, read once when the provider
   * mounts. Defaults to none.
   */
  token?: string | (() => string | Promise<string>);
  /** Extra headers sent with every request. Defaults to none. */
  headers?: Record<string, string>;
  /**
   * A client of your own, to share it with code outside React. The provider then neither creates nor
   * closes one. Defaults to a client the provider creates from the props above.
   */
  client?: LogsClient;
  /** Entries each channel keeps in the client (upper bound of every hook's `maxLogs`). Defaults to `1000`. */
  bufferSize?: number;
  /**
   * Makes the provider's client from the props above. Pass `createSharedLogsClient` from
   * `@logs-sse/client/shared` so that the tabs of this browser with the same gateway and credentials
   * share one stream; the shared code is then in your bundle only if you import it. Read once.
   * Defaults to `createLogsClient`: one stream per tab.
   *
   * @example
   * import { createSharedLogsClient } from '@logs-sse/client/shared';
   * <LogsSSEProvider gatewayUrl="/logs-gateway" createClient={createSharedLogsClient}>
   */
  createClient?: (options: LogsClientOptions) => LogsClient;
  /** Where hooks with `persistence: true` keep their logs. Defaults to `'session'` (sessionStorage). */
  persistence?: PersistenceOption;
  /**
   * Whether hooks hold their renders while the page is hidden (`document.visibilityState`), and render
   * what arrived meanwhile, in order, when it shows again. The stream never pauses: the client keeps
   * receiving into its buffers (`bufferSize` entries per channel). Defaults to `true`: nobody sees a
   * hidden tab, and a busy stream would otherwise render in every tab of the app.
   */
  pauseWhenHidden?: boolean;
  children?: ReactNode;
}

/**
 * Gives every `useLogsSSE` below it one shared connection to the gateway.
 *
 * @example
 * <LogsSSEProvider gatewayUrl="https://logs.example.com" token={readerToken}>
 *   <App />
 * </LogsSSEProvider>
 */
export function LogsSSEProvider(props: LogsSSEProviderProps) {
  const {
    client: given,
    gatewayUrl,
    token,
    headers,
    bufferSize,
    createClient = createLogsClient,
    persistence = 'session',
    pauseWhenHidden = true,
    children,
  } = props;
  // The client connects only while a channel is subscribed and goes idle when the last one leaves, so
  // a provider that unmounts leaves nothing running, and StrictMode's second mount reuses it.
  const [own] = useState(() => {
    if (given) return undefined;
    if (typeof gatewayUrl !== 'string') {
      throw new TypeError('<LogsSSEProvider> needs gatewayUrl="https://..." or client');
    }
    return createClient({ url: gatewayUrl, token, headers, bufferSize });
  });
  const client = given ?? own!;
  const value = useMemo<LogsSSEContextValue>(
    () => ({ client, storage: resolveStorage(persistence), pause: pauseWhenHidden }),
    [client, persistence, pauseWhenHidden],
  );
  return <LogsSSEContext.Provider value={value}>{children}</LogsSSEContext.Provider>;
}
