import type { ClientStatus, LogsClient, LogsClientError } from '@logs-sse/client';
import { useCallback, useSyncExternalStore } from 'react';
import { useLogsSSEContext } from './context';

export interface LogsConnection {
  /** Where the shared connection stands: `'idle'` until a hook subscribes, and always on the server. */
  status: ClientStatus;
  isConnected: boolean;
  /** Why the client stopped retrying (bad token, forbidden channel), while `status` is `'error'`. */
  error: LogsClientError | undefined;
}

/** The status of the provider's one connection, without subscribing to any channel. */
export function useLogsConnection(): LogsConnection {
  const { client } = useLogsSSEContext('useLogsConnection');
  return useConnection(client);
}

export function useConnection(client: LogsClient): LogsConnection {
  const subscribe = useCallback((onChange: () => void) => client.onConnectionStatus(onChange), [client]);
  const status = useSyncExternalStore(subscribe, () => client.status, serverStatus);
  // The error changes only together with the status, whose change re-renders.
  return { status, isConnected: status === 'open', error: status === 'error' ? client.error : undefined };
}

const serverStatus = (): ClientStatus => 'idle';
