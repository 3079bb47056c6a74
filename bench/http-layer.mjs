#!/usr/bin/env node
// Which HTTP layer should the gateway sit on? Measures, for node:http, Fastify and Hono (node adapter),
// the same minimal SSE hub (bench/http-layer/servers.mjs): SSE fan-out to N subscribers and publish
// requests per second, with the server's own CPU per delivered event read from /proc.
// Usage: node bench/http-layer.mjs [--subscribers 500] [--messages 4000] [--rounds 3]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '500' },
    messages: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '3' },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const MESSAGES = Number(values.messages);
const ROUNDS = Number(values.rounds);
const LAYERS = ['node-http', 'fastify', 'hono'];
const serverScript = fileURLToPath(new URL('./http-layer/servers.mjs', import.meta.url));
const TICKS = 100; // USER_HZ on Linux
const body = JSON.stringify({
  channel: 'logs:etl:ws-1:run-1',
  level: 'info',
  message: 'step 3/7 loaded 1200 rows from s3://bucket/input.csv',
  rows: 1200,
});

function startServer(layer) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverScript, layer], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', (chunk) => resolve({ child, port: Number(String(chunk).trim()) }));
    child.once('exit', (code) => reject(new Error(`${layer} server exited with ${code}`)));
  });
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function openSubscribers(port, count) {
  let delivered = 0;
  const sockets = [];
  const ready = [];
  for (let i = 0; i < count; i++) {
    ready.push(
      new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(`GET /stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
        });
        let opened = false;
        socket.on('data', (chunk) => {
          let at = chunk.indexOf('\n\n');
          while (at !== -1) {
            if (opened) delivered++;
            else {
              opened = true;
              resolve();
            }
            at = chunk.indexOf('\n\n', at + 2);
          }
        });
        socket.on('error', () => {});
        sockets.push(socket);
      }),
    );
  }
  return {
    ready: Promise.all(ready),
    count: () => delivered,
    close: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

async function publishAll(port, messages, inFlight = 16) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  let sent = 0;
  const worker = async () => {
    while (sent < messages) {
      sent++;
      await new Promise((resolve, reject) => {
        const req = http.request(
          {
            port,
            host: '127.0.0.1',
            method: 'POST',
            path: '/publish',
            agent,
            headers: { 'content-type': 'application/json' },
          },
          (res) => res.resume().on('end', resolve),
        );
        req.on('error', reject);
        req.end(body);
      });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  agent.destroy();
}

async function waitFor(predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return predicate();
}

async function measure(layer) {
  const { child, port } = await startServer(layer);
  try {
    // Publish alone: requests per second with nobody listening.
    await publishAll(port, 500);
    let cpu0 = cpuSeconds(child.pid);
    let t0 = performance.now();
    await publishAll(port, MESSAGES);
    const publishPerSec = MESSAGES / ((performance.now() - t0) / 1000);
    const publishCpuUs = ((cpuSeconds(child.pid) - cpu0) / MESSAGES) * 1e6;

    // Fan-out: every message reaches every subscriber.
    const subs = openSubscribers(port, SUBSCRIBERS);
    await subs.ready;
    cpu0 = cpuSeconds(child.pid);
    t0 = performance.now();
    await publishAll(port, MESSAGES);
    const complete = await waitFor(() => subs.count() >= MESSAGES * SUBSCRIBERS, 60_000);
    const seconds = (performance.now() - t0) / 1000;
    const delivered = subs.count();
    const fanoutCpuUs = ((cpuSeconds(child.pid) - cpu0) / delivered) * 1e6;
    subs.close();
    return { layer, publishPerSec, publishCpuUs, eventsPerSec: delivered / seconds, fanoutCpuUs, complete };
  } finally {
    child.kill();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const layer of LAYERS) {
    const r = await measure(layer);
    if (!r.complete) console.warn(`${layer}: not every event arrived within 60 s`);
    results[layer] = [...(results[layer] ?? []), r];
  }
}

console.log(`\nHTTP layer, ${SUBSCRIBERS} SSE subscribers, ${MESSAGES} messages, median of ${ROUNDS} rounds`);
console.log('layer       publish req/s  publish CPU us/req  fan-out events/s  fan-out CPU us/event');
const summary = {};
for (const layer of LAYERS) {
  const rs = results[layer];
  const row = {
    publish_req_s: Math.round(median(rs.map((r) => r.publishPerSec))),
    publish_cpu_us: Number(median(rs.map((r) => r.publishCpuUs)).toFixed(1)),
    fanout_events_s: Math.round(median(rs.map((r) => r.eventsPerSec))),
    fanout_cpu_us: Number(median(rs.map((r) => r.fanoutCpuUs)).toFixed(2)),
  };
  summary[layer] = row;
  console.log(
    `${layer.padEnd(10)}  ${String(row.publish_req_s).padStart(13)}  ${String(row.publish_cpu_us).padStart(18)}  ${String(row.fanout_events_s).padStart(16)}  ${String(row.fanout_cpu_us).padStart(20)}`,
  );
}
console.log(JSON.stringify({ httpLayer: summary }));
