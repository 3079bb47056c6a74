import type { LogsClient } from '@logs-sse/client';
import type { StatusEntry } from '@logs-sse/protocol';
import { useEffect, useState } from 'react';
import { type ChannelSelector, channelOf } from './channelOf';
import { useLogsSSEContext } from './context';

export interface LogsStatus {
  /**
   * The newest `status` event of the resource: on the first render the one the client already holds
   * (the gateway sends the current one to every new stream), then each one that arrives.
   */
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
  // The client holds the newest status of each channel it carries (the gateway sends the current one
  // to every new stream): this state only says whether it is done, and re-renders on each event.
  const [state, setState] = useState<{ channel: string; done: boolean }>();
  useEffect(() => {
    if (channel === undefined) return;
    return client.subscribe(channel, {
      // A status after `done` means the resource started over (a new run on the same channel).
      onStatus: () => setState({ channel, done: false }),
      onDone: () => setState({ channel, done: true }),
    });
  }, [client, channel]);
  // (No channel: the client holds nothing under `undefined`.)
  const status = client.getStatus(channel as string);
  return {
    status,
    phase: status?.phase,
    progress: status?.progress,
    message: status?.message,
    done: state?.done === true && state.channel === channel,
  };
}
