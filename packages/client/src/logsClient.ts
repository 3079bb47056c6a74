import type { LogEntry, StatusEntry } from '@logs-sse/protocol';
import type { LogsClientError } from './errors';
import type { SubscribeOptions } from './options';
import type { ClientStatus, LogsClientStats } from './status';

/** One connection to a gateway, shared by every part of an app that wants logs. */
export interface LogsClient {
  /** Where the connection stands. */
  readonly status: ClientStatus;
  /** Why the client stopped retrying, while `status` is `'error'`. */
  readonly error: LogsClientError | undefined;
  /**
   * Starts receiving a channel (`logs:{service}:{workspace}:{resource}`, any segment may be `*`).
   * Subscribers of one channel share it; the returned function removes this subscriber, and the last
   * one out removes the channel. Changes to the set of channels are applied together, shortly after.
   *
   * @example
   * const stop = client.subscribe('logs:etl:ws-1:run-42', { onLogs: (batch) => render(batch) });
   */
  subscribe(channel: string, options?: SubscribeOptions): () => void;
  /** The channel's buffered log entries, oldest first. The same array until the next change. */
  getLogs(channel: string): readonly LogEntry[];
  /**
   * The newest `status` entry of a subscribed channel: the gateway sends each new stream the current
   * one, so a view opened mid-run knows the phase before the next status is published. `undefined`
   * until one arrived, or when the channel is not subscribed.
   *
   * @example
   * const phase = client.getStatus('logs:etl:ws-1:run-42')?.phase;
   */
  getStatus(channel: string): StatusEntry | undefined;
  /**
   * Calls `listener` on every change of the connection's `status`; returns the function that stops it.
   * (A resource's `status` entries reach the `onStatus` callback of `subscribe` instead.)
   *
   * @example
   * const stop = client.onConnectionStatus((status, error) => showBadge(status, error?.code));
   */
  onConnectionStatus(
    listener: (status: ClientStatus, error: LogsClientError | undefined) => void,
  ): () => void;
  stats(): LogsClientStats;
  /** Ends the connection and every timer. The client cannot be used again. */
  close(): void;
}
