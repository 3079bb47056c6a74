// The low-rate scenario: 1,000 subscribers on one channel, 200 single-log POSTs a second (16 in flight),
// for ours and nginx + nchan alike. At this rate every server has CPU to spare; what is compared is the
// server's CPU per delivered event (CPU time from /proc, so a loaded machine slows it less than it slows
// wall-clock figures), publish-to-receive latency and loss. Ours runs once per flush window asked for.
//
//   node bench/fanout/lowrate.mjs [--quick] [--windows 0,5,10,25,50,100] [--rounds 3] [--subscribers 1000]
//
// Prints one line per run and a table of medians; `pnpm bench` runs it with the default window only.
import { fileURLToPath } from 'node:url';
import { runOne, settings } from './fanout.mjs';
import { loadAverage, median, sleep } from './proc.mjs';

/** The one step of a run, or `null`; a run whose server could not start is `{ skipped }`. */
async function measure(name, window, opts) {
  const gatewayEnv = window === undefined ? undefined : { LOGS_SSE_FLUSH_WINDOW_MS: String(window) };
  const result = await runOne(name, 'lowrate', { ...opts, gatewayEnv }).catch((error) => ({
    error: error.message,
  }));
  if (result.skipped) return { skipped: result.skipped };
  const step = result.steps?.[0];
  if (!step) return { error: result.error ?? 'no step' };
  return {
    cpu_ns_per_event: step.server_cpu_ns_per_event,
    p50_ms: step.p50_ms,
    p99_ms: step.p99_ms,
    lost: step.expected - step.delivered,
    expected: step.expected,
    events_per_read: step.events_per_read,
    writes_per_event: step.server_writes_per_event,
    server_cpu_pct: step.server_cpu_pct,
    generator_cpu_pct: step.generator_cpu_pct,
    publish_errors: step.publish_errors,
    // Streams the server closed (ours cuts a reader more than maxBufferedBytes behind): their logs count as lost.
    closed_early: step.closed_early,
  };
}

/**
 * Rounds of nchan and ours (once per window), in an order that rotates from round to round. Each
 * window's ratio to nchan is taken within its round, then the median over rounds is reported.
 * `windows` holds flush windows in ms; `undefined` stands for the gateway's default.
 */
export async function runLowRate({ quick, windows = [undefined], rounds, subscribers, say = () => {} }) {
  const opts = { ...settings(quick), subscribers };
  const runs = [{ name: 'nchan' }, ...windows.map((window) => ({ name: 'ours', window }))];
  const results = runs.map(() => []);
  let skipped;
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < runs.length; k++) {
      const i = (k + round) % runs.length;
      const { name, window } = runs[i];
      if (name === 'nchan' && skipped) continue;
      const r = await measure(name, window, opts);
      if (r.skipped) skipped = r.skipped;
      say(`low rate round ${round + 1}/${rounds}: ${label(runs[i])} ${JSON.stringify(r)}`);
      results[i].push(r);
      await sleep(300);
    }
  }
  const nchan = results[0];
  const rows = runs.map((run, i) => {
    const mine = results[i];
    const pick = (key) => median(mine.map((r) => r[key]));
    const ratios = mine.map((r, round) => r.cpu_ns_per_event / nchan[round]?.cpu_ns_per_event);
    return {
      server: run.name,
      flush_window_ms: run.window ?? (run.name === 'ours' ? 'default' : null),
      cpu_ns_per_event: pick('cpu_ns_per_event'),
      cpu_ratio_to_nchan: run.name === 'nchan' || skipped ? null : round2(median(ratios)),
      p50_ms: pick('p50_ms'),
      p99_ms: pick('p99_ms'),
      lost: mine.reduce((sum, r) => sum + (r.lost ?? 0), 0),
      closed_early: mine.reduce((sum, r) => sum + (r.closed_early ?? 0), 0),
      expected: mine.reduce((sum, r) => sum + (r.expected ?? 0), 0),
      events_per_read: pick('events_per_read'),
      writes_per_event: pick('writes_per_event'),
      server_cpu_pct: pick('server_cpu_pct'),
      generator_cpu_pct: pick('generator_cpu_pct'),
      errors: mine.filter((r) => r.error).map((r) => r.error),
      rounds: mine.length,
    };
  });
  return {
    subscribers: subscribers ?? 1000,
    channels: 1,
    logs_per_s: 200,
    in_flight: 16,
    nchan_skipped: skipped,
    rows,
  };
}

const round2 = (v) => (Number.isFinite(v) ? Number(v.toFixed(2)) : null);
const label = ({ name, window }) => (name === 'ours' ? `ours window=${window ?? 'default'}` : name);

/** Rows for the suite's table. */
export function lowRateRows(result) {
  const f = (v, digits = 0) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));
  const title = 'low rate 1000 subs, 200 POST/s';
  return result.rows.map((r) => [
    title,
    r.server === 'ours'
      ? `ours (window ${r.flush_window_ms}${r.flush_window_ms === 'default' ? '' : ' ms'})`
      : r.server,
    `${f(r.cpu_ns_per_event)} ns CPU/ev`,
    `p50 ${f(r.p50_ms)} / p99 ${f(r.p99_ms)} ms`,
    `${r.lost}/${r.expected} late or lost, ${f(r.writes_per_event, 3)} writes/ev`,
    r.cpu_ratio_to_nchan === null ? '' : `CPU/ev ours/nchan ${f(r.cpu_ratio_to_nchan, 2)} (goal <= 0.5)`,
  ]);
}

// ---- standalone ----------------------------------------------------------------------------------------

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const value = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const quick = argv.includes('--quick');
  const windows = value('--windows')?.split(',').map(Number) ?? [undefined];
  const rounds = Number(value('--rounds') ?? (quick ? 1 : 3));
  // Fewer subscribers than the scenario's 1,000, to see the window where a busy machine would starve both.
  const subscribers = value('--subscribers') && Number(value('--subscribers'));
  const loadBefore = loadAverage();
  const started = new Date().toISOString();
  const result = await runLowRate({ quick, windows, rounds, subscribers, say: (t) => console.error(t) });
  console.log(`started ${started}, load before ${loadBefore.join(' ')}, after ${loadAverage().join(' ')}`);
  console.log(
    '| server | flush window | CPU per event | ratio to nchan | p50 | p99 | lost | events per read | writes per event |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of result.rows) {
    const cells = [
      r.server,
      r.flush_window_ms ?? '-',
      `${r.cpu_ns_per_event} ns`,
      r.cpu_ratio_to_nchan ?? '-',
    ];
    cells.push(`${r.p50_ms} ms`, `${r.p99_ms} ms`, `${r.lost} of ${r.expected}`, r.events_per_read);
    console.log(`| ${[...cells, r.writes_per_event].join(' | ')} |`);
  }
  console.log(JSON.stringify(result));
}
