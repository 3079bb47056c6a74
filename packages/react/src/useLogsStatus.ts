import type { LogsClient } from '@logs-sse/client';
import type { StatusEntry } from '@logs-sse/protocol';
import { useEffect, useState } from 'react';
import { type ChannelSelector, channelOf } from './channelOf';
import { useLogsSSEContext } from './context';

export interface LogsStatus {
  /** The newest `status` event of the resource, since the hook subscribed. */
  status: StatusEntry | undefined;
  phase: string | undefined;
  /** 0 to 100, when the publisher reports it. */
  progress: number | undefined;
  message: string | undefined;
  /** Whether the resource reported `done`. */
  done: boolean;
}

/**
 * Where a resource stands (its phase and progress), over the provider's shared connection.
 *
 * @example
 * const { phase, progress } = useLogsStatus({ service: 'workflow', workspace_id: ws, workflow_id: id });
 */
export function useLogsStatus(selector: ChannelSelector & { enabled?: boolean }): LogsStatus {
  const { client } = useLogsSSEContext('useLogsStatus');
  return useStatusOf(client, selector.enabled === false ? undefined : channelOf(selector));
}

export function useStatusOf(client: LogsClient, channel: string | undefined): LogsStatus {
  const [state, setState] = useState<{ channel: string; status?: StatusEntry; done: boolean }>();
  useEffect(() => {
    if (channel === undefined) return;
    return client.subscribe(channel, {
      // A status after `done` means the resource started over (a new run on the same channel).
      onStatus: (status) => setState({ channel, status, done: false }),
      onDone: () => setState((prev) => ({ channel, status: prev?.status, done: true })),
    });
  }, [client, channel]);
  const current = state?.channel === channel ? state : undefined;
  const status = current?.status;
  return {
    status,
    phase: status?.phase,
    progress: status?.progress,
    message: status?.message,
    done: current?.done ?? false,
  };
}
