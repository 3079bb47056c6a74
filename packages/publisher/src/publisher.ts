import { isValidChannel, isValidSegment } from '@logs-sse/protocol';
import { DeliveryLoop } from './deliveryLoop';
import { type Bindings, EntryEncoder } from './entryEncoder';
import { installExitHook } from './exitHook';
import { Heartbeat } from './heartbeat';
import { HttpClient } from './httpClient';
import { type PublisherOptions, type ResolvedOptions, resolveOptions } from './options';
import type { PublisherStats } from './stats';

/** One entry as a service hands it over. Anything else in it travels as an extra field. */
export interface PublishEntry {
  /** `'log'` (the default), `'status'` or `'done'`. */
  type?: 'log' | 'status' | 'done';
  /** Full channel name; or leave it out and give `workspace_id` and `resource_id`. */
  channel?: string;
  workspace_id?: string;
  resource_id?: string;
  /** Overrides the publisher's `service` for this entry. */
  service?: string;
  /** A level name, alias or pino number. Defaults to `'info'`. */
  level?: string | number;
  message?: string;
  /** ISO 8601 or epoch milliseconds. Defaults to the time of the `publish` call. */
  timestamp?: string | number;
  [field: string]: unknown;
}

/** Fields of a status entry: where a resource stands in its life. */
export interface StatusFields {
  workspace_id?: string;
  /** Free-form phase name, such as `'provisioning'` or `'active'`. */
  phase: string;
  /** 0 to 100. */
  progress?: number;
  message?: string;
  [field: string]: unknown;
}

/** What publishers share with their children: one queue, one connection pool, one set of counters. */
class Shared {
  generated = 0;
  closed = false;
  closing: Promise<void> | undefined;
  readonly http: HttpClient;
  readonly loop: DeliveryLoop;
  readonly heartbeat: Heartbeat;
  uninstallExitHook: (() => void) | undefined;

  constructor(readonly options: ResolvedOptions) {
    this.http = new HttpClient(options.url, options.token, options.requestTimeoutMs, options.publisherId);
    this.loop = new DeliveryLoop(options, this.http);
    this.heartbeat = new Heartbeat(this.http, options.timers, options.heartbeatIntervalMs, () => ({
      publisherId: options.publisherId,
      service: options.service,
      stats: this.stats(),
    }));
  }

  stats(): PublisherStats {
    const { loop } = this;
    const droppedBy = { ...loop.droppedBy };
    const { overflow, invalid, refused, tooLarge, closed } = droppedBy;
    const error = loop.lastError;
    return {
      generated: this.generated,
      sent: loop.sent,
      dropped: overflow + invalid + refused + tooLarge + closed,
      droppedBy,
      queueSize: loop.queueSize,
      queueBytes: loop.queueBytes,
      batchesSent: loop.batchesSent,
      retries: loop.retries,
      lastError: error
        ? { code: error.code, message: error.message, status: error.status, at: loop.lastErrorAt }
        : null,
      connectionStatus: loop.connectionStatus,
    };
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.heartbeat.stop();
    this.uninstallExitHook?.();
    this.closing = this.loop.flush(this.options.closeTimeoutMs).then(() => {
      this.loop.stop();
      this.http.close();
    });
    return this.closing;
  }
}

/**
 * Queues entries for a logs-sse gateway and sends them in the background. Nothing it does blocks or
 * throws at the caller: faults become counters in {@link LogsPublisher.stats} and calls to `onError`.
 *
 * @example
 * const pub = createLogsPublisher({ url: 'http://localhost:8080', token, service: 'billing' });
 * pub.publish({ workspace_id: 'ws-1', resource_id: 'run-42', level: 'info', message: 'started' });
 */
export class LogsPublisher {
  /** @internal Use {@link createLogsPublisher} or {@link LogsPublisher.child}. */
  constructor(
    private readonly shared: Shared,
    private readonly encoder: EntryEncoder,
  ) {}

  /**
   * Queues one entry. Synchronous and O(1); never throws. `false` when the entry was not queued: the
   * publisher is closed, the entry is invalid, or the queue is full under `overflow: 'drop-newest'`.
   */
  publish(entry: PublishEntry): boolean {
    const shared = this.shared;
    shared.generated++;
    if (shared.closed) {
      shared.loop.droppedBy.closed++;
      return false;
    }
    const encoder = this.encoder;
    const loop = shared.loop;
    let own: number;
    try {
      own = encoder.encode(entry, loop.parts);
    } catch {
      // Circular references, BigInt, getters or proxies that throw: the entry cannot be sent.
      own = -1;
    }
    if (own < 0) {
      loop.droppedBy.invalid++;
      return false;
    }
    return loop.enqueue(own, encoder.head, encoder.stamp);
  }

  /** Publishes where `resource` stands: `pub.status('run-42', { workspace_id, phase: 'active', progress: 40 })`. */
  status(resource: string, fields: StatusFields): boolean {
    return this.publishTyped('status', resource, fields);
  }

  /** Publishes that `resource` is finished. */
  done(resource: string, fields: { workspace_id?: string; [field: string]: unknown } = {}): boolean {
    return this.publishTyped('done', resource, fields);
  }

  /**
   * A publisher that adds `bindings` to every entry, sharing this one's queue and connection.
   *
   * @example const run = pub.child({ workspace_id: 'ws-1', resource_id: 'run-42' }); run.publish({ message: 'hi' });
   */
  child(bindings: Bindings): LogsPublisher {
    if (typeof bindings !== 'object' || bindings === null || Array.isArray(bindings)) {
      throw new TypeError('child(bindings) needs an object, such as { workspace_id, resource_id }');
    }
    for (const key of ['service', 'workspace_id', 'resource_id'] as const) {
      if (bindings[key] !== undefined && !isValidSegment(bindings[key])) {
        throw new TypeError(`child bindings: ${key} must match [A-Za-z0-9_.-]{1,128}`);
      }
    }
    if (bindings.channel !== undefined && !isValidChannel(bindings.channel)) {
      throw new TypeError('child bindings: channel must look like logs:{service}:{workspace}:{resource}');
    }
    const merged = { ...this.encoder.bindings, ...bindings };
    const { options } = this.shared;
    return new LogsPublisher(this.shared, new EntryEncoder(options.service, merged, options.now));
  }

  private publishTyped(type: 'status' | 'done', resource: string, fields: object): boolean {
    let entry: PublishEntry | undefined;
    try {
      entry = { ...fields, type, resource_id: resource };
    } catch {
      // A proxy or getter that throws while being copied: as invalid as a circular entry.
      entry = undefined;
    }
    return this.publish(entry as PublishEntry);
  }

  /** Counters since creation; `generated === sent + dropped + queueSize` holds at every moment. */
  stats(): PublisherStats {
    return this.shared.stats();
  }

  /**
   * Resolves `true` once everything published before the call is sent or dropped; `false` when
   * `timeoutMs` passed first. Never rejects. A refusing gateway ends it (entries are dropped); an
   * unreachable one makes it wait (and keeps the process up), so pass a timeout when that matters.
   */
  flush(options: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.shared.loop.flush(options.timeoutMs);
  }

  /**
   * Flushes for at most `closeTimeoutMs`, drops what is left (counted as `closed`), stops every timer
   * and connection. Later publishes return `false`. Closing a child closes the whole publisher.
   */
  close(): Promise<void> {
    return this.shared.close();
  }
}

/** Creates a publisher; see {@link PublisherOptions} for every option and its default. */
export function createLogsPublisher(options: PublisherOptions): LogsPublisher {
  const resolved = resolveOptions(options);
  const shared = new Shared(resolved);
  shared.heartbeat.start();
  if (resolved.handleExit) {
    shared.uninstallExitHook = installExitHook(() => shared.close());
  }
  return new LogsPublisher(shared, new EntryEncoder(resolved.service, {}, resolved.now));
}
