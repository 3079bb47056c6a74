import type { LogsClient } from '@logs-sse/client';
import { createSharedLogsClient, type ShareOptions } from '@logs-sse/client/shared';
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
   * Let the tabs of this browser that use the same gateway and credentials share one stream (see
   * `createSharedLogsClient`); with a token function, pass `{ key }` (the user's id, say). Read once.
   * Defaults to `false`: one stream per tab.
   */
  shareAcrossTabs?: boolean | ShareOptions;
  /** Where hooks with `persistence: true` keep their logs. Defaults to `'session'` (sessionStorage). */
  persistence?: PersistenceOption;
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
    shareAcrossTabs,
    persistence = 'session',
    children,
  } = props;
  // The client connects only while a channel is subscribed and goes idle when the last one leaves, so
  // a provider that unmounts leaves nothing running, and StrictMode's second mount reuses it.
  const [own] = useState(() => {
    if (given) return undefined;
    if (typeof gatewayUrl !== 'string') {
      throw new TypeError('<LogsSSEProvider> needs gatewayUrl="https://..." or client');
    }
    return createSharedLogsClient({
      url: gatewayUrl,
      token,
      headers,
      bufferSize,
      share: shareAcrossTabs || false,
    });
  });
  const client = given ?? own!;
  const value = useMemo<LogsSSEContextValue>(
    () => ({ client, storage: resolveStorage(persistence) }),
    [client, persistence],
  );
  return <LogsSSEContext.Provider value={value}>{children}</LogsSSEContext.Provider>;
}
