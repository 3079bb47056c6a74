// Where the bytes of an idle stream go: heap snapshots of the gateway CLI with no stream and with N idle
// streams, the difference divided by N and grouped by owner (each object goes to the first object that
// holds it strongly), next to the V8 heap spaces and the RSS.
//
//   node bench/memory-breakdown.mjs [streams=5000]
//
// BENCH_GATEWAY_CLI=<path to cli.js> runs another build. Snapshots go to a temporary folder, removed after.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './fanout/proc.mjs';

const streams = Number(process.argv[2] ?? 5000);
const cli =
  process.env.BENCH_GATEWAY_CLI ?? fileURLToPath(new URL('../packages/gateway/dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'logs-sse-heap-'));
// Prints the V8 heap spaces on SIGWINCH; loaded into the gateway with --require.
const probe = join(dir, 'probe.cjs');
const PROBE = `const v8 = require('node:v8');
process.on('SIGWINCH', () => {
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  process.stdout.write('SPACES ' + JSON.stringify(spaces) + '\\n');
});`;
writeFileSync(probe, PROBE);

/** Groups of owners, in the order they are tried; the rest is counted as backing stores. */
const GROUPS = [
  ['native TCP handle (TCPSocketWrap, reported by Node)', /TCPSocketWrap|CleanupQueue/],
  [
    'IncomingMessage, its headers and URL',
    /IncomingMessage|Object\.host|Object\.accept|^string <- (Array\.\[element\]|string\.)/,
  ],
  ['ServerResponse and its header block', /ServerResponse|Object\.finish/],
  ['HTTP parser (JS side)', /HTTPParser|HTTPServerAsyncResource|parser_buffer/],
  ['bound functions node:http makes per connection', /native_bind|bound arguments/],
  [
    'net.Socket, its stream states and listeners',
    /Socket|TCP\.|WritableState|ReadableState|socketListenerWrap|Object\.(data|end|drain|onData|onEnd|onClose|onDrain)/,
  ],
  [
    'gateway (Subscriber, its pattern, filter, close listener, sets)',
    /Subscriber|ChannelPattern|closure \(anon\)|connectionId|Set\.table|Object\.close/,
  ],
  ['compiled code, hidden classes', /^code|object shape|FeedbackVector/],
];

function owners(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const { node_fields: nf, edge_fields: ef, node_types: nt, edge_types: et } = snap.snapshot.meta;
  const [W, EW, types, edgeTypes] = [nf.length, ef.length, nt[0], et[0]];
  const { nodes, edges, strings } = snap;
  const count = nodes.length / W;
  const parent = new Int32Array(count).fill(-1);
  const via = new Array(count);
  const edgeCount = nf.indexOf('edge_count');
  for (let i = 0, e = 0; i < count; i++) {
    for (let k = 0; k < nodes[i * W + edgeCount]; k++, e += EW) {
      const type = edgeTypes[edges[e]];
      if (type === 'weak' || type === 'shortcut') continue;
      const to = edges[e + 2] / W;
      if (parent[to] !== -1) continue;
      parent[to] = i;
      via[to] = type === 'element' || type === 'hidden' ? `[${type}]` : strings[edges[e + 1]];
    }
  }
  const label = (i) => {
    const type = types[nodes[i * W]];
    const name = strings[nodes[i * W + 1]];
    if (type.includes('string')) return 'string';
    if (type === 'closure') return `closure ${name || '(anon)'}`;
    if (['array', 'hidden', 'object shape', 'code'].includes(type)) return `${type} ${name}`.slice(0, 40);
    return name.slice(0, 40);
  };
  const bytes = new Map();
  for (let i = 0; i < count; i++) {
    const key = `${label(i)} <- ${parent[i] >= 0 ? label(parent[i]) : '-'}.${via[i] ?? ''}`;
    bytes.set(key, (bytes.get(key) ?? 0) + nodes[i * W + 3]);
  }
  return bytes;
}

const child = spawn(
  'bash',
  [
    '-c',
    'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"',
    process.execPath,
    '--heapsnapshot-signal=SIGUSR2',
    '--require',
    probe,
    cli,
    '--port',
    '0',
  ],
  { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOGS_SSE_LOG_LEVEL: 'error' } },
);
let out = '';
child.stdout.on('data', (chunk) => {
  out += chunk;
});
const until = async (test) => {
  while (!test()) await sleep(50);
};
const spaces = async () => {
  const seen = out.split('SPACES ').length;
  child.kill('SIGWINCH');
  await until(() => out.split('SPACES ').length > seen);
  return JSON.parse(out.split('SPACES ').at(-1).split('\n')[0]);
};
const snapshot = async () => {
  const before = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')).length;
  child.kill('SIGUSR2');
  await until(() => readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')).length > before);
  const file = join(
    dir,
    readdirSync(dir)
      .filter((f) => f.endsWith('.heapsnapshot'))
      .sort()
      .at(-1),
  );
  // The file appears before it is complete: it is read once its size stops changing.
  let size = -1;
  while (size <= 0 || size !== statSync(file).size) {
    size = statSync(file).size;
    await sleep(500);
  }
  return file;
};

const sockets = [];
try {
  await until(() => /http:\/\/[^\s]+:(\d+)/.test(out));
  const port = Number(/http:\/\/[^\s]+:(\d+)/.exec(out)[1]);
  await sleep(1000);
  const spaces0 = await spaces();
  const empty = await snapshot();
  for (let i = 0; i < streams; i++) {
    await new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write(
          `GET /api/logs/stream?channels=logs:bench:ws-1:c${i % 100} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
        ),
      );
      socket.once('data', (chunk) =>
        chunk.toString('latin1').startsWith('HTTP/1.1 200') ? resolve() : reject(new Error(String(chunk))),
      );
      socket.on('error', reject);
      sockets.push(socket);
    });
  }
  await sleep(1500);
  const spaces1 = await spaces();
  const full = await snapshot();
  const [a, b] = [owners(empty), owners(full)];
  const rows = [...b].map(([key, v]) => [key, (v - (a.get(key) ?? 0)) / streams]);
  const sums = new Map(GROUPS.map(([name]) => [name, 0]));
  let rest = 0;
  for (const [key, v] of rows) {
    const group = GROUPS.find(([, re]) => re.test(key));
    if (group) sums.set(group[0], sums.get(group[0]) + v);
    else rest += v;
  }
  const perStream = (kb) => `${((kb * 1024) / streams).toFixed(0)} B`;
  console.log(`${streams} idle streams, ${cli}`);
  // No RSS here: writing a snapshot leaves native memory behind. `fanout.mjs --scenario memory` measures it.
  for (const space of ['new_space', 'old_space', 'code_space', 'large_object_space'])
    console.log(
      `  ${space} ${spaces0[space]} -> ${spaces1[space]} B: ${perStream((spaces1[space] - spaces0[space]) / 1024)} per stream`,
    );
  console.log('heap snapshot, bytes per stream by owner:');
  for (const [name, v] of sums) console.log(`  ${v.toFixed(0).padStart(6)}  ${name}`);
  console.log(`  ${rest.toFixed(0).padStart(6)}  backing stores of the arrays and objects above`);
  console.log(
    `  ${rows
      .reduce((t, [, v]) => t + v, 0)
      .toFixed(0)
      .padStart(6)}  in all`,
  );
  if (process.argv.includes('--top'))
    for (const [key, v] of rows.sort((x, y) => y[1] - x[1]).slice(0, 40))
      console.log(`  ${v.toFixed(0).padStart(6)}  ${key}`);
} finally {
  for (const socket of sockets) socket.destroy();
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
