import type { LogsClient } from '@logs-sse/client';
import { createContext, useContext } from 'react';
import type { PersistenceStorage } from './persistence/storage';

export interface LogsSSEContextValue {
  client: LogsClient;
  /** Where hooks with `persistence: true` keep their logs. */
  storage: PersistenceStorage;
  /** Whether hooks hold their renders while the page is hidden. */
  pause?: boolean;
}

export const LogsSSEContext = createContext<LogsSSEContextValue | null>(null);

export function useLogsSSEContext(hook: string): LogsSSEContextValue {
  const value = useContext(LogsSSEContext);
  if (value === null) {
    throw new TypeError(`${hook} must be called inside <LogsSSEProvider gatewayUrl="...">`);
  }
  return value;
}
