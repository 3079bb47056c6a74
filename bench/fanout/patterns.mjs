// Publish cost against the number of patterns held: the gateway alone, 100 streams on 100 channels by
// name, with and without 100 more streams holding 10,000 distinct wildcard patterns that match nothing
// published. Each log reaches exactly one stream, so server CPU per delivered event is CPU per published
// log. A routing index that is bounded by the matching subscriptions gives a ratio near 1.
//
//   node bench/fanout/patterns.mjs [--quick]      (after `pnpm build`; BENCH_GATEWAY_CLI as in servers.mjs)
import { fileURLToPath } from 'node:url';
import { runOne, SCENARIOS } from './fanout.mjs';
import { loadAverage, median } from './proc.mjs';

/** Fixed rates (logs/s), every step run: the lowest is mostly request cost, the highest mostly routing. */
const RATES = [1000, 4000, 16000];

export function patternSettings(quick) {
  const rates = { exact: RATES, patterns: RATES };
  return quick
    ? { rates, fixedRates: true, refineSteps: 0, stepMs: 1000, drainMs: 1000, repeats: 1 }
    : { rates, fixedRates: true, refineSteps: 0, stepMs: 2500, drainMs: 2000, repeats: 3 };
}

/** Rounds of both scenarios, alternating which goes first; medians per rate, and the ratio. */
export async function runPatterns(opts, say = () => {}) {
  const rounds = { exact: [], patterns: [] };
  const errors = [];
  for (let round = 0; round < opts.repeats; round++) {
    const order = round % 2 === 0 ? ['exact', 'patterns'] : ['patterns', 'exact'];
    for (const scenario of order) {
      say(`patterns ${scenario} round ${round + 1}/${opts.repeats}`);
      const result = await runOne('ours', scenario, opts).catch((error) => ({ error: error.message }));
      if (result.skipped || result.error) {
        errors.push(`${scenario}: ${result.skipped ?? result.error}`);
        say(`  ${result.skipped ?? result.error}`);
      }
      for (const step of result.steps ?? []) {
        say(
          `  ${step.rate} logs/s: ${step.delivered}/${step.expected} delivered, ` +
            `${step.server_cpu_ns_per_event} ns CPU/log, server ${step.server_cpu_pct}%, p99 ${step.p99_ms} ms`,
        );
      }
      rounds[scenario].push(result.steps ?? []);
    }
  }
  const perRate = opts.rates.exact.map((rate) => {
    const pick = (scenario, key) =>
      median(rounds[scenario].map((steps) => steps.find((s) => s.rate === rate)?.[key] ?? Number.NaN));
    const full = (scenario) =>
      rounds[scenario].length > 0 &&
      rounds[scenario].every((steps) => steps.find((s) => s.rate === rate)?.full === true);
    const exact = pick('exact', 'server_cpu_ns_per_event');
    const patterns = pick('patterns', 'server_cpu_ns_per_event');
    return {
      rate,
      exact_cpu_ns_per_log: exact,
      patterns_cpu_ns_per_log: patterns,
      ratio: exact && patterns ? Number((patterns / exact).toFixed(2)) : null,
      exact_events_per_s: pick('exact', 'events_per_s'),
      patterns_events_per_s: pick('patterns', 'events_per_s'),
      exact_p99_ms: pick('exact', 'p99_ms'),
      patterns_p99_ms: pick('patterns', 'p99_ms'),
      exact_full: full('exact'),
      patterns_full: full('patterns'),
    };
  });
  const shape = SCENARIOS.patterns;
  return {
    streams: shape.subscribers,
    channels: shape.channels,
    pattern_streams: shape.idleStreams,
    patterns: shape.idleStreams * shape.idlePerStream,
    rounds: opts.repeats,
    step_ms: opts.stepMs,
    rates: perRate,
    ...(errors.length > 0 && { errors }),
  };
}

export function patternRows(r) {
  const f = (v) => (v === null || v === undefined || Number.isNaN(v) ? '-' : Number(v).toFixed(0));
  return r.rates.map((s) => [
    `publish cost, ${r.patterns} idle patterns`,
    `${s.rate}/s`,
    `exact ${f(s.exact_cpu_ns_per_log)} ns CPU/log${s.exact_full ? '' : ' (not all delivered)'}`,
    `+patterns ${f(s.patterns_cpu_ns_per_log)} ns CPU/log${s.patterns_full ? '' : ' (not all delivered)'}`,
    `ratio ${s.ratio ?? '-'} (goal ~1)`,
    `p99 ${f(s.exact_p99_ms)} / ${f(s.patterns_p99_ms)} ms`,
  ]);
}

// ---- standalone ----------------------------------------------------------------------------------------

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const say = (text) => process.stderr.write(`${text}\n`);
  say(`load average ${loadAverage().join(' ')}`);
  const result = await runPatterns(patternSettings(quick), say);
  say(`load average after ${loadAverage().join(' ')}`);
  const rows = patternRows(result);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows)
    console.log(
      row
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  console.log(JSON.stringify(result));
}
