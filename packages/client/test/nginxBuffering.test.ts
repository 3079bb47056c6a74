import type { LogEntry } from '@logs-sse/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Nginx, startNginx } from '../../../scripts/nginx';
import { createLogsClient, type LogsClient } from '../src/index';
import { publishRange, startGateway } from './gatewayHelpers';
import { CHANNEL_A } from './helpers';

let nginx: Nginx | undefined;
let client: LogsClient | undefined;
let stopGateway: (() => Promise<void>) | undefined;

afterEach(async () => {
  client?.close();
  await nginx?.stop();
  await stopGateway?.();
  nginx = client = stopGateway = undefined;
});

/**
 * What some corporate proxies do to a stream: buffer the response (the gateway's `X-Accel-Buffering: no`
 * ignored) and compress it, so that a stream's first bytes wait for kilobytes that never come.
 */
const buffering = (gateway: string) => (port: number) =>
  `
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass ${gateway};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_buffering on;
      proxy_ignore_headers X-Accel-Buffering;
      gzip on;
      gzip_min_length 0;
      gzip_proxied any;
      gzip_types text/event-stream application/json;
      proxy_read_timeout 120s;
    }
  }`;

describe('through nginx that buffers and compresses (real nginx, real gateway)', () => {
  it('delivers entries published once a second within seconds, in order, once, by long polls', async () => {
    // The default heartbeat (15 s): the stream would stay silent for minutes behind this proxy.
    const started = await startGateway({ heartbeatSeconds: 15 });
    stopGateway = () => started.gateway.close();
    nginx = await startNginx(buffering(started.url));
    const logs = createLogsClient({ url: nginx.url });
    client = logs;
    const arrived: { entry: LogEntry; at: number }[] = [];
    const published = new Map<string, number>();
    let allArrived!: () => void;
    const done = new Promise<void>((resolve) => {
      allArrived = resolve;
    });
    const COUNT = 10;
    logs.subscribe(CHANNEL_A, {
      onLog: (entry) => {
        arrived.push({ entry, at: Date.now() });
        if (arrived.length === COUNT) allArrived();
      },
    });
    // The stream reached the gateway (and is held in nginx): from here on nothing may be missed.
    await vi.waitFor(() => expect(started.gateway.stats().connections).toBe(1));
    // Once a second, as a service would log.
    for (let i = 1; i <= COUNT; i++) {
      published.set(`${CHANNEL_A}#${i}`, Date.now());
      await publishRange(started.url, CHANNEL_A, i, i);
      if (i < COUNT) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await done;
    expect(arrived.map(({ entry }) => entry.message)).toEqual(
      Array.from({ length: COUNT }, (_, i) => `${CHANNEL_A}#${i + 1}`),
    );
    // The first ones wait for the switch (4 s without hello); every later one comes with the next poll.
    for (const { entry, at } of arrived) {
      expect(at - published.get(entry.message)!, entry.message).toBeLessThan(6000);
    }
    for (const { entry, at } of arrived.slice(-5)) {
      expect(at - published.get(entry.message)!, entry.message).toBeLessThan(1500);
    }
    expect(logs.stats()).toMatchObject({ transport: 'poll', duplicates: 0, received: COUNT });
    expect(logs.stats().stalls).toBeGreaterThanOrEqual(1);
  }, 30_000);
});
