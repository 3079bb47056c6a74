import * as client from '@logs-sse/client';
import type * as protocol from '@logs-sse/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as react from '../src/index';

describe('@logs-sse/react', () => {
  it('exports its components, hooks and the error class its hooks return, and no persistence internals', () => {
    expect(Object.keys(react).sort()).toEqual([
      'LogsClientError',
      'LogsSSEProvider',
      'useLogsConnection',
      'useLogsSSE',
      'useLogsStatus',
    ]);
    expect(react.LogsClientError).toBe(client.LogsClientError);
  });

  it('re-exports the types its hooks return, so an app needs no other import to name them', () => {
    expectTypeOf<react.UseLogsSSEResult['logs']>().toEqualTypeOf<readonly react.LogEntry[]>();
    expectTypeOf<react.UseLogsSSEResult['status']>().toEqualTypeOf<react.StatusEntry | undefined>();
    expectTypeOf<react.UseLogsSSEResult['connectionStatus']>().toEqualTypeOf<react.ClientStatus>();
    expectTypeOf<react.LogsConnection['error']>().toEqualTypeOf<react.LogsClientError | undefined>();
    expectTypeOf<react.LogsClientError['code']>().toEqualTypeOf<react.LogsClientErrorCode>();
    expectTypeOf<react.UseLogsSSEOptions['level']>().toEqualTypeOf<react.LogLevel | undefined>();
    expectTypeOf<react.LogEntry>().toEqualTypeOf<protocol.LogEntry>();
    expectTypeOf<react.LogsSSEProviderProps['client']>().toEqualTypeOf<react.LogsClient | undefined>();
  });
});
