import { type RedisSide, redisSideOf } from './store/redis/redisSide';
import type { StoreStats } from './store/store';

/** Counters the gateway keeps; plain numbers so the hot path only increments. */
export class Metrics {
  publishRequests = 0;
  logsIn = 0;
  logsRejected = 0;
  logsRateLimited = 0;
  logsOut = 0;
  streamsOpened = 0;
  slowDisconnects = 0;
  authFailures = 0;
}

interface MetricsSnapshot {
  metrics: Metrics;
  connections: number;
  answers: { readonly size: number; bufferedBytes(): number; readonly stalled: number };
  publishers: number;
  store: StoreStats;
  memory: NodeJS.MemoryUsage;
}

const FAMILIES: [
  name: string,
  type: 'counter' | 'gauge',
  help: string,
  read: (s: MetricsSnapshot) => number,
][] = [
  [
    'logs_sse_publish_requests_total',
    'counter',
    'Publish requests received.',
    (s) => s.metrics.publishRequests,
  ],
  ['logs_sse_logs_in_total', 'counter', 'Entries accepted from publishers.', (s) => s.metrics.logsIn],
  [
    'logs_sse_logs_rejected_total',
    'counter',
    'Entries refused as invalid or forbidden.',
    (s) => s.metrics.logsRejected,
  ],
  [
    'logs_sse_publish_rate_limited_total',
    'counter',
    'Entries refused because their service was over publishRateLimit.',
    (s) => s.metrics.logsRateLimited,
  ],
  ['logs_sse_logs_out_total', 'counter', 'Entries written to subscribers.', (s) => s.metrics.logsOut],
  ['logs_sse_streams_opened_total', 'counter', 'Streams opened.', (s) => s.metrics.streamsOpened],
  [
    'logs_sse_slow_subscribers_dropped_total',
    'counter',
    'Subscribers disconnected for reading too slowly.',
    (s) => s.metrics.slowDisconnects,
  ],
  [
    'logs_sse_auth_failures_total',
    'counter',
    'Requests refused with 401 or 403.',
    (s) => s.metrics.authFailures,
  ],
  ['logs_sse_history_evicted_total', 'counter', 'Entries dropped from history.', (s) => s.store.evicted],
  ['logs_sse_connections', 'gauge', 'Open streams.', (s) => s.connections],
  [
    'logs_sse_answers_open',
    'gauge',
    'History answers and follow=false replays being written.',
    (s) => s.answers.size,
  ],
  [
    'logs_sse_answers_buffered_bytes',
    'gauge',
    'Bytes those answers hold unsent.',
    (s) => s.answers.bufferedBytes(),
  ],
  [
    'logs_sse_answers_stalled_total',
    'counter',
    'Answers cut off because their reader stopped reading.',
    (s) => s.answers.stalled,
  ],
  ['logs_sse_publishers', 'gauge', 'Publishers seen.', (s) => s.publishers],
  ['logs_sse_history_channels', 'gauge', 'Channels with kept history.', (s) => s.store.channels],
  ['logs_sse_history_entries', 'gauge', 'Entries kept in history.', (s) => s.store.entries],
  ['logs_sse_history_bytes', 'gauge', 'Approximate bytes of kept history.', (s) => s.store.bytes],
  ['logs_sse_process_heap_used_bytes', 'gauge', 'V8 heap in use.', (s) => s.memory.heapUsed],
  ['logs_sse_process_rss_bytes', 'gauge', 'Resident set size.', (s) => s.memory.rss],
];

/** Only for a Redis store: the shared side that every gateway of a deployment depends on. */
const REDIS_FAMILIES: [
  name: string,
  type: 'counter' | 'gauge',
  help: string,
  read: (r: RedisSide) => number,
][] = [
  [
    'logs_sse_redis_connected',
    'gauge',
    '1 while both Redis connections are up.',
    (r) => (r.connected ? 1 : 0),
  ],
  ['logs_sse_redis_reconnects_total', 'counter', 'Redis connections re-established.', (r) => r.reconnects],
  [
    'logs_sse_redis_connection_errors_total',
    'counter',
    'Redis connection errors.',
    (r) => r.connectionErrors,
  ],
  [
    'logs_sse_redis_write_errors_total',
    'counter',
    'Appends Redis refused or did not answer.',
    (r) => r.writeErrors,
  ],
  ['logs_sse_redis_feed_errors_total', 'counter', 'Failed reads of the live feed.', (r) => r.feedErrors],
  [
    'logs_sse_redis_feed_catch_ups_total',
    'counter',
    'Catch-ups from channel streams.',
    (r) => r.feedCatchUps,
  ],
  [
    'logs_sse_redis_feed_lag_seconds',
    'gauge',
    'Age of the last feed batch on arrival.',
    (r) => r.feedLagMs / 1000,
  ],
  ['logs_sse_redis_used_memory_bytes', 'gauge', 'Memory Redis uses in all.', (r) => r.usedMemoryBytes],
];

/** Prometheus text exposition format, version 0.0.4. */
export function renderPrometheus(snapshot: MetricsSnapshot): string {
  let text = '';
  for (const [name, type, help, read] of FAMILIES) {
    text += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${read(snapshot)}\n`;
  }
  const redis = redisSideOf(snapshot.store);
  if (redis === undefined) return text;
  for (const [name, type, help, read] of REDIS_FAMILIES) {
    text += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${read(redis)}\n`;
  }
  return text;
}
