// The load generator of the fan-out bench, the same for every server; run as its own process so that its
// CPU is measured apart from the server's. Raw TCP subscribers (no EventSource, no parser): each counts
// the `~t` marker every message carries; one in `sampleEvery` also reads the send time after the marker
// for publish-to-receive latency. A publisher in the same process sends logs at a fixed rate per step.
//
//   node bench/fanout/generator.mjs '<json config>'      (started by bench/fanout/fanout.mjs)
//
// Prints one JSON line per step ({type: 'step', ...}) and a last one ({type: 'done'}) on stdout.

import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { cpuMs, fdCount, rssKb, sleep } from './proc.mjs';

const cfg = JSON.parse(process.argv[2]);
const MARK = Buffer.from('~t');
const TILDE = 0x7e;
const T = 0x74;
const TICK_MS = 10;
const HARD_LIMIT_MS = cfg.hardLimitMs ?? 120_000;
setTimeout(() => {
  emit({ type: 'error', message: `generator passed its ${HARD_LIMIT_MS} ms limit` });
  process.exit(2);
}, HARD_LIMIT_MS).unref();

const { port } = new URL(cfg.url);
// Redis mode publishes on one gateway and subscribes on another; by default both are `cfg.url`.
const publishPort = Number(new URL(cfg.publishUrl ?? cfg.url).port);
// Every process whose CPU counts as the server's: two gateways and redis-server in Redis mode.
const serverPids = cfg.serverPids ?? [cfg.serverPid];
const serverCpuMs = () => serverPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
const channelName = (c) => `logs:bench:ws-1:c${c}`;

/**
 * Write syscalls (write, writev) the server has made so far, from /proc/<pid>/io; `NaN` where unreadable.
 * Unlike CPU time it does not grow when the machine is busy: writes per event show how much was joined.
 */
function writeCalls(pid) {
  try {
    return Number(/^syscw: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

function emit(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

// ---- subscribers -------------------------------------------------------------------------------------

const subs = [];
const perChannel = new Array(cfg.channels).fill(0);
let received = 0;
/** Chunks read by all subscribers: each is at least one write of the server; on idle streams, one per heartbeat. */
let reads = 0;
let closedEarly = 0;
let badStatus = 0;
let latencies = [];

class Sub {
  constructor(index, channels, sampled, path) {
    this.channels = channels;
    this.path = path;
    this.sampled = sampled;
    this.ready = false;
    this.endedWithTilde = false;
    this.socket = null;
    this.index = index;
  }

  open() {
    return new Promise((resolve) => {
      const path = this.path ?? `${cfg.paths.subscribe}${this.channels.map(channelName).join(',')}`;
      const socket = connect({ host: '127.0.0.1', port: Number(port) });
      this.socket = socket;
      let settled = false;
      const settle = (ok) => {
        if (settled) return;
        settled = true;
        resolve(ok);
      };
      socket.setNoDelay(true);
      socket.on('connect', () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
      });
      socket.on('data', (chunk) => this.onData(chunk, settle));
      socket.on('error', () => settle(false));
      socket.on('close', () => {
        if (this.ready && !stopping) closedEarly++;
        settle(false);
      });
    });
  }

  onData(chunk, settle) {
    if (!this.ready) {
      // The status line is in the first chunk: 'HTTP/1.1 200 '.
      if (chunk[9] !== 0x32 || chunk[10] !== 0x30 || chunk[11] !== 0x30) {
        badStatus++;
        this.socket.destroy();
        settle(false);
        return;
      }
      this.ready = true;
      settle(true);
    }
    reads++;
    let count = 0;
    if (this.endedWithTilde && chunk[0] === T) count++;
    let at = chunk.indexOf(MARK);
    while (at !== -1) {
      count++;
      if (this.sampled) this.sample(chunk, at + 2);
      at = chunk.indexOf(MARK, at + 2);
    }
    this.endedWithTilde = chunk[chunk.length - 1] === TILDE;
    received += count;
  }

  sample(chunk, from) {
    let sent = 0;
    let i = from;
    for (; i < chunk.length; i++) {
      const d = chunk[i] - 0x30;
      if (d < 0 || d > 9) break;
      sent = sent * 10 + d;
    }
    // A marker cut by the chunk's end is counted but not timed.
    if (i < chunk.length && i > from) latencies.push(Date.now() - sent);
  }
}

async function openAll(count) {
  const CONCURRENCY = 200;
  let next = 0;
  let failed = 0;
  const deadline = Date.now() + 60_000;
  async function worker() {
    while (next < count && Date.now() < deadline) {
      const index = next++;
      const channels = [];
      for (let k = 0; k < cfg.perSub; k++) channels.push((index + k * 37) % cfg.channels);
      const sub = new Sub(index, channels, index % cfg.sampleEvery === 0);
      subs.push(sub);
      if (await sub.open()) for (const c of channels) perChannel[c]++;
      else failed++;
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  return { connected: subs.length - failed, failed };
}

/**
 * Streams that hold `perStream` wildcard patterns each, all distinct and none matching a published
 * channel (`logs:bench:ws-1:c<n>`). The shapes share segments with those channels on purpose, so a
 * matcher has to look past the first segment to reject them. A log reaching one of these streams is
 * counted as received but not expected, and fails the step.
 */
async function openIdlePatterns(streams, perStream) {
  let failed = 0;
  const shapes = [
    (i) => `logs:bench:*:x${i}`,
    (i) => `logs:bench:w${i}:*`,
    (i) => `logs:*:ws-1:x${i}`,
    (i) => `logs:s${i}:*:*`,
  ];
  for (let s = 0; s < streams; s++) {
    const patterns = [];
    for (let k = 0; k < perStream; k++) {
      const i = s * perStream + k;
      patterns.push(shapes[i % shapes.length](i));
    }
    const sub = new Sub(-1 - s, [], false, `${cfg.paths.subscribe}${patterns.join(',')}`);
    subs.push(sub);
    if (!(await sub.open())) failed++;
  }
  if (failed > 0) throw new Error(`${failed} of ${streams} pattern streams did not open`);
  return streams * perStream;
}

// ---- publisher ---------------------------------------------------------------------------------------

// nchan takes one message per POST, so it gets many requests in flight (with 16 its 100-channel figure
// halved: the round trips, not nginx, were the limit); the batching servers need few. `single` makes
// every server take one log per POST, `inFlight` of them at a time, as a service logging line by line does.
const SINGLE = cfg.single === true || cfg.paths.batch === 'none';
const MAX_IN_FLIGHT = cfg.inFlight ?? (SINGLE ? 64 : 4);
const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
const MAX_BATCH = SINGLE ? 1 : 1000;
const queue = [];
let inFlight = 0;
let publishErrors = 0;
/** Requests sent again after the server closed their idle keep-alive socket (see `post`). */
let publishRetries = 0;
let publishRequests = 0;
/** Entries in publish requests answered 2xx: what reached the server, unlike logs still queued at the end. */
let publishAccepted = 0;
let seq = 0;
let stopping = false;
const PAD = 'x'.repeat(40);

/** One log of about 180 bytes as the gateway frames it: the message carries the marker and send time. */
function makeLog(channel) {
  const now = Date.now();
  const message = `request handled ~t${now}~ seq=${seq++} rows=${seq % 977} ${PAD}`;
  return { channel, message, now };
}

/** The same log as nchan and better-sse carry it: the JSON our gateway would put in its `data:` line. */
function peerData(log) {
  return JSON.stringify({
    id: `${log.now}-0`,
    type: 'log',
    channel: channelName(log.channel),
    timestamp: new Date(log.now).toISOString(),
    level: 'info',
    message: log.message,
  });
}

function pump() {
  while (inFlight < MAX_IN_FLIGHT && queue.length > 0) {
    const batch = queue.splice(0, MAX_BATCH);
    let path = cfg.paths.publish;
    let body;
    let type = 'application/json';
    if (SINGLE && cfg.paths.batch === 'logs') {
      const log = batch[0];
      body = JSON.stringify({ channel: channelName(log.channel), level: 'info', message: log.message });
    } else if (cfg.paths.batch === 'logs') {
      body = JSON.stringify({
        logs: batch.map((l) => ({ channel: channelName(l.channel), level: 'info', message: l.message })),
      });
    } else if (cfg.paths.batch === 'array') {
      body = JSON.stringify(batch.map((l) => ({ c: channelName(l.channel), d: peerData(l) })));
    } else {
      path += channelName(batch[0].channel);
      body = peerData(batch[0]);
      type = 'text/plain';
    }
    inFlight++;
    publishRequests++;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      inFlight--;
      pump();
    };
    post(path, type, body, batch.length, done, false);
  }
}

/**
 * One POST of `count` logs; `done` when it is answered or has failed. A kept-alive socket may be closed
 * by the server as idle just as a request goes out on it: the request then fails with ECONNRESET before
 * the server read any of it (the race Node's `http` documentation describes under `reusedSocket`), so it
 * is sent once more, on a new socket. Any other failure counts as a publish error.
 */
function post(path, type, body, count, done, again) {
  const req = request(
    {
      host: '127.0.0.1',
      port: publishPort,
      method: 'POST',
      path,
      agent,
      headers: { 'content-type': type, 'content-length': Buffer.byteLength(body) },
    },
    (res) => {
      if (res.statusCode < 200 || res.statusCode > 299) publishErrors++;
      else publishAccepted += count;
      res.resume();
      res.on('end', done);
    },
  );
  req.on('error', (error) => {
    if (!again && req.reusedSocket && error.code === 'ECONNRESET') {
      publishRetries++;
      post(path, type, body, count, done, true);
      return;
    }
    publishErrors++;
    done();
  });
  req.end(body);
}

/** Expected deliveries of everything published so far: each log reaches every subscriber of its channel. */
let expected = 0;

async function runStep(rate, stepMs, drainMs) {
  latencies = [];
  const startReceived = received;
  const startReads = reads;
  const startExpected = expected;
  const serverWrites0 = writeCalls(cfg.serverPid);
  const serverCpu0 = serverCpuMs();
  const eachCpu0 = serverPids.map(cpuMs);
  const genCpu0 = process.cpuUsage();
  const t0 = Date.now();
  let sent = 0;
  // `saturate`: no rate; the POSTs in flight are kept full for the step, and each server takes logs as
  // fast as it accepts them (the figure is what it delivers).
  if (cfg.saturate) {
    while (Date.now() - t0 < stepMs) {
      while (queue.length < MAX_IN_FLIGHT) {
        const channel = seq % cfg.channels;
        expected += perChannel[channel];
        queue.push(makeLog(channel));
        sent++;
      }
      pump();
      await sleep(1);
    }
  }
  const total = cfg.saturate ? sent : Math.round((rate * stepMs) / 1000);
  // Logs are due at a steady rate; each tick enqueues what is due, and the queue goes out in batches.
  while (sent < total) {
    const due = Math.min(total, Math.floor((rate * (Date.now() - t0)) / 1000));
    for (; sent < due; sent++) {
      const channel = seq % cfg.channels;
      const log = makeLog(channel);
      expected += perChannel[channel];
      queue.push(log);
    }
    pump();
    await sleep(TICK_MS);
  }
  const publishedAt = Date.now();
  const drainDeadline = publishedAt + drainMs;
  while (Date.now() < drainDeadline && (received < expected || queue.length > 0 || inFlight > 0))
    await sleep(5);
  const wallMs = Date.now() - t0;
  const serverWrites = writeCalls(cfg.serverPid) - serverWrites0;
  const serverCpu = serverCpuMs() - serverCpu0;
  const eachCpu = serverPids.map((pid, i) => cpuMs(pid) - eachCpu0[i]);
  const gen = process.cpuUsage(genCpu0);
  const genCpu = (gen.user + gen.system) / 1000;
  const delivered = received - startReceived;
  const want = expected - startExpected;
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] : null;
  const p99 = pct(0.99);
  const full = delivered === want && publishErrors === 0 && closedEarly === 0;
  const result = {
    type: 'step',
    // Under `saturate`, the rate reached: logs published per second of the step.
    rate: cfg.saturate ? Math.round((total * 1000) / (publishedAt - t0)) : rate,
    published: total,
    expected: want,
    delivered,
    full,
    p50_ms: pct(0.5),
    p99_ms: p99,
    samples: latencies.length,
    // Under `saturate` a step counts when everything arrived; latency is reported, not judged.
    ok: full && (cfg.saturate || (p99 !== null && p99 < cfg.p99LimitMs)),
    // Under `saturate`, over the whole step with its drain: what arrived late was not delivered faster.
    events_per_s: Math.round((delivered * 1000) / (cfg.saturate ? wallMs : publishedAt - t0)),
    events_per_read: Number((delivered / Math.max(1, reads - startReads)).toFixed(2)),
    server_writes_per_event: delivered ? Number((serverWrites / delivered).toFixed(3)) : null,
    server_cpu_ns_per_event: delivered ? Math.round((serverCpu * 1e6) / delivered) : null,
    server_cpu_pct: Math.round((serverCpu / wallMs) * 100),
    // Per server process, in the order of `cfg.serverPids`; one figure when there is one process.
    server_cpu_ns_per_event_each:
      serverPids.length > 1 && delivered
        ? eachCpu.map((ms) => Math.round((ms * 1e6) / delivered))
        : undefined,
    generator_cpu_pct: Math.round((genCpu / wallMs) * 100),
    publish_errors: publishErrors,
    publish_retries: publishRetries,
    closed_early: closedEarly,
  };
  // Resynchronise after a failed step, so that a late delivery is not credited to the next one.
  if (!result.full) expected = received;
  return result;
}

// ---- main --------------------------------------------------------------------------------------------

try {
  const rssBefore = rssKb(cfg.serverPid);
  const fdsBefore = fdCount(cfg.serverPid);
  const { connected, failed } = await openAll(cfg.subscribers);
  emit({ type: 'connected', connected, failed, bad_status: badStatus });
  if (failed > 0 && connected < cfg.subscribers * 0.99)
    throw new Error(`only ${connected} of ${cfg.subscribers} subscribers connected`);
  if (cfg.idleStreams) {
    const patterns = await openIdlePatterns(cfg.idleStreams, cfg.idlePerStream);
    emit({ type: 'patterns', streams: cfg.idleStreams, patterns });
  }
  await sleep(cfg.settleMs ?? 500);
  if (cfg.mode === 'memory') {
    const rssAfter = rssKb(cfg.serverPid);
    const fdsAfter = fdCount(cfg.serverPid);
    // With `idleMs`, the server's CPU while every connection sits idle: its timers and heartbeats.
    let idle;
    if (cfg.idleMs) {
      const cpu0 = cpuMs(cfg.serverPid);
      const gen0 = process.cpuUsage();
      const reads0 = reads;
      await sleep(cfg.idleMs);
      const gen = process.cpuUsage(gen0);
      idle = {
        idle_ms: cfg.idleMs,
        idle_server_cpu_ms: cpuMs(cfg.serverPid) - cpu0,
        idle_generator_cpu_ms: Math.round((gen.user + gen.system) / 1000),
        idle_chunks: reads - reads0,
        rss_idle_kb: rssKb(cfg.serverPid),
      };
    }
    // Prove the idle connections are live: one log per channel reaches every subscriber.
    const check = await runStep(cfg.channels * 4, 250, 5000);
    emit({
      type: 'memory',
      connections: connected,
      rss_before_kb: rssBefore,
      rss_after_kb: rssAfter,
      kb_per_conn: Number(((rssAfter - rssBefore) / connected).toFixed(2)),
      live_check: check.full,
      fds_before: fdsBefore,
      fds_after: fdsAfter,
      ...idle,
    });
  } else {
    // Doubling steps until one fails, then finer steps (x2^(1/4)) up from the last one that passed.
    // An unreported warm-up step: JIT, socket buffers and the first publisher connections.
    const warm = await runStep(cfg.rates[0], 500, cfg.drainMs);
    if (!warm.full) expected = received;
    await sleep(200);
    let lastPass = null;
    for (const rate of cfg.rates) {
      const step = await runStep(rate, cfg.stepMs, cfg.drainMs);
      emit(step);
      await sleep(200);
      if (!step.ok && !cfg.fixedRates) break;
      lastPass = rate;
    }
    for (let i = 1; lastPass !== null && i <= (cfg.refineSteps ?? 0); i++) {
      const step = await runStep(Math.round(lastPass * 2 ** (i / 4)), cfg.stepMs, cfg.drainMs);
      emit(step);
      await sleep(200);
      if (!step.ok) break;
    }
  }
  // Totals over the whole run, warm-up included: what Redis command counts are divided by.
  emit({
    type: 'done',
    published_total: seq,
    accepted_total: publishAccepted,
    publish_requests: publishRequests,
  });
} catch (error) {
  emit({ type: 'error', message: String(error?.message ?? error) });
} finally {
  stopping = true;
  for (const sub of subs) sub.socket?.destroy();
  agent.destroy();
  process.exit(0);
}
