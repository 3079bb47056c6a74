import type { LogsClient } from '@logs-sse/client';
import type { StatusEntry } from '@logs-sse/protocol';
import { useEffect, useState } from 'react';
import { type ChannelSelector, channelOf } from './channelOf';
import { useLogsSSEContext } from './context';
import { whenVisible } from './whenVisible';

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
  const { client, pause } = useLogsSSEContext('useLogsStatus');
  return useStatusOf(client, selector.enabled === false ? undefined : channelOf(selector), pause);
}

export function useStatusOf(
  client: LogsClient,
  channel: string | undefined,
  pause: boolean | undefined,
): LogsStatus {
  // The client holds the newest status of each channel it carries (the gateway sends the current one
  // to every new stream): this state only says whether it is done, and re-renders on each event.
  const [state, setState] = useState<{ channel: string; done: boolean }>();
  useEffect(() => {
    if (channel === undefined) return;
    let done = false;
    // While the page is hidden, only the last event's state is rendered, when it shows again.
    const render = whenVisible(pause, () => setState({ channel, done }));
    const on = (isDone: boolean) => () => {
      done = isDone;
      render();
    };
    // A status after `done` means the resource started over (a new run on the same channel).
    return client.subscribe(channel, { onStatus: on(false), onDone: on(true) });
  }, [client, channel, pause]);
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
