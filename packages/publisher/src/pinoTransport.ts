import type { Transform } from 'node:stream';
import { normalizeLevel } from '@logs-sse/protocol';
import build from 'pino-abstract-transport';
import type { PublisherOptions } from './options';
import { createLogsPublisher, type PublishEntry } from './publisher';

/** Options of the pino transport: every publisher option, plus where each line goes. */
export interface PinoTransportOptions
  extends Omit<PublisherOptions, 'onError' | 'timers' | 'now' | 'random'> {
  /** Workspace of lines that carry no `workspace_id` of their own (from `logger.child()`). Defaults to none. */
  workspace_id?: string;
  /** Resource of lines that carry no `resource_id` of their own. Defaults to none. */
  resource_id?: string;
  /**
   * Picks the channel of each line; wins over `workspace_id`/`resource_id`. Only when the transport is
   * built in-process with {@link createPinoTransport}: functions cannot cross into pino's worker thread.
   * Defaults to none.
   */
  channel?: (line: Record<string, unknown>) => string | undefined;
  /** Keep pino's `pid` and `hostname` fields. Defaults to `false`. */
  includeProcessFields?: boolean;
}

/**
 * Turns one pino line into a publish entry: `msg` becomes `message`, `time` becomes `timestamp`, the
 * numeric level becomes its name; `pid` and `hostname` go unless asked for.
 */
export function pinoLineToEntry(line: Record<string, unknown>, options: PinoTransportOptions): PublishEntry {
  const { msg, time, level, pid, hostname, ...fields } = line;
  const entry = fields as PublishEntry;
  entry.level = normalizeLevel(level) ?? 'info';
  entry.message = typeof msg === 'string' ? msg : msg === undefined ? '' : String(msg);
  if (time !== undefined) entry.timestamp = time as number | string;
  if (options.includeProcessFields) {
    entry.pid = pid;
    entry.hostname = hostname;
  }
  const channel = options.channel?.(line);
  if (channel !== undefined) entry.channel = channel;
  else {
    if (entry.workspace_id === undefined && options.workspace_id !== undefined) {
      entry.workspace_id = options.workspace_id;
    }
    if (entry.resource_id === undefined && options.resource_id !== undefined) {
      entry.resource_id = options.resource_id;
    }
  }
  return entry;
}

/**
 * A pino transport stream that publishes every line. Use it through pino's worker thread
 * (`pino.transport({ target: '@logs-sse/publisher/pino', options })`) or hand it to `pino()` directly.
 * Ending the stream flushes and closes the publisher.
 */
export function createPinoTransport(options: PinoTransportOptions): Transform {
  const { workspace_id, resource_id, channel, includeProcessFields, ...publisherOptions } = options;
  const publisher = createLogsPublisher(publisherOptions);
  return build(
    async (source) => {
      for await (const line of source) {
        let entry: PublishEntry | undefined;
        try {
          entry = pinoLineToEntry(line as Record<string, unknown>, options);
        } catch {
          // A throwing channel function: publish() counts the line as invalid, and logging goes on.
          entry = undefined;
        }
        publisher.publish(entry as PublishEntry);
      }
    },
    { close: () => publisher.close() },
  );
}
