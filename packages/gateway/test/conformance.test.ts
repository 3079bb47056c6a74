/**
 * docs/protocol.md as a client or publisher in another language reads it: each `describe` is a section of
 * the document, each test one statement of it, checked over plain HTTP against a real gateway.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Gateway, GatewayOptions } from '@logs-sse/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { log, openStream, publish, startGateway } from './helpers';

const gateways: Gateway[] = [];

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
});

/** A gateway on a free loopback port, closed after the test. */
async function gatewayUrl(options: GatewayOptions = {}): Promise<string> {
  const { gateway, url } = await startGateway(options);
  gateways.push(gateway);
  return url;
}

describe('protocol.md § Events', () => {
  it('hello carries connectionId, heartbeatSeconds, channels and cursor, as the gateway README shows it', async () => {
    const url = await gatewayUrl();
    const empty = await openStream(url, 'channels=logs:svc:ws:a,logs:svc:*:*');
    expect(JSON.parse(empty.events[0]!.data)).toEqual({
      connectionId: expect.any(String),
      heartbeatSeconds: 15,
      channels: ['logs:svc:ws:a', 'logs:svc:*:*'],
      cursor: null,
    });
    empty.close();

    await publish(url, log('a', 'one'));
    const stream = await openStream(url, 'channels=logs:svc:ws:a&tail=1');
    await stream.untilEvents('log', 1);
    const hello = JSON.parse(stream.events[0]!.data);
    expect(hello.cursor).toBe(stream.events[1]!.id);
    stream.close();

    const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
    const example = /^event: hello\ndata: (.*)$/m.exec(readme);
    expect(example).not.toBeNull();
    expect(Object.keys(JSON.parse(example![1]!))).toEqual(Object.keys(hello));
  });
});
