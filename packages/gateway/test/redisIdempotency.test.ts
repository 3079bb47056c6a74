import { connect, createServer, type Server, type Socket } from 'node:net';
import { create, toBinary } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogsPublisher } from '../../publisher/src/index';
import { ExportLogsServiceRequestSchema } from '../src/otlp/proto/opentelemetry/proto/collector/logs/v1/logs_service_pb';
import { call, log, publish } from './helpers';
import { redisDeployments } from './redisNodes';

const deployments = redisDeployments('idem');
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/**
 * A load balancer that sends the first connection to `first` and drops that connection the moment the
 * gateway starts answering: the gateway stored the batch, the publisher never hears so. Every later
 * connection goes to `rest`, as a balancer routes a retry to another gateway.
 */
class AnswerLosingBalancer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  connections = 0;
  lostAnswers = 0;
  url = '';

  constructor(
    private readonly first: number,
    private readonly rest: number,
  ) {
    this.server = createServer((client) => this.route(client));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private route(client: Socket): void {
    const losing = this.connections++ === 0;
    const upstream = connect(losing ? this.first : this.rest, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (losing) {
        this.lostAnswers++;
        client.destroy();
        upstream.destroy();
      } else client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}

const portOf = (url: string) => Number(new URL(url).port);
const messages = async (url: string) =>
  ((await call(`${url}/api/logs/history?channel=logs:svc:ws:a`)).json.logs as { message: string }[]).map(
    (e) => e.message,
  );

describe('Idempotency-Key across gateways on Redis', () => {
  it('a batch stored through one gateway whose answer was lost is stored once when retried through another', async () => {
    const [a, b] = await deployments.deploy(2);
    const balancer = new AnswerLosingBalancer(portOf(a!.url), portOf(b!.url));
    await balancer.listen();
    closers.push(() => balancer.close());
    const pub = createLogsPublisher({
      url: balancer.url,
      service: 'svc',
      heartbeatIntervalMs: 0,
      retryBaseMs: 5,
      retryMaxMs: 20,
      handleExit: false,
    });
    closers.push(() => pub.close());
    for (const message of ['one', 'two', 'three'])
      pub.publish({ workspace_id: 'ws', resource_id: 'a', message });
    expect(await pub.flush({ timeoutMs: 10_000 })).toBe(true);

    expect(balancer.lostAnswers).toBe(1);
    expect(balancer.connections).toBe(2);
    expect(pub.stats()).toMatchObject({ sent: 3, retries: 1, dropped: 0 });
    // A stored the batch; B found A's record in Redis and stored nothing.
    expect(a!.gateway.stats().logs.in).toBe(3);
    expect(b!.gateway.stats().logs.in).toBe(0);
    expect(await messages(b!.url)).toEqual(['one', 'two', 'three']);
    expect(await messages(a!.url)).toEqual(['one', 'two', 'three']);
  });

  it('answers a repeat on another gateway as the first, refuses another body, and stores one of two racing requests', async () => {
    const [a, b] = await deployments.deploy(2);
    const body = { logs: [log('a', 'one'), { message: 'no channel' }] };
    const first = await publish(a!.url, body, { headers: { 'idempotency-key': '"k-1"' } });
    expect(first.json).toMatchObject({ accepted: 1, rejectedCount: 1 });
    const repeat = await publish(b!.url, body, { headers: { 'idempotency-key': '"k-1"' } });
    expect([repeat.status, repeat.text, repeat.headers.get('idempotent-replayed')]).toEqual([
      202,
      first.text,
      'true',
    ]);
    const other = await publish(b!.url, log('a', 'two'), { headers: { 'idempotency-key': '"k-1"' } });
    expect([other.status, other.json.error.code]).toEqual([422, 'idempotency_key_reused']);

    const racing = await Promise.all(
      [a, b, a, b].map((node) =>
        publish(node!.url, log('a', 'race'), { headers: { 'idempotency-key': '"k-2"' } }),
      ),
    );
    expect(racing.map((answer) => answer.status)).toEqual([202, 202, 202, 202]);
    expect(racing.filter((answer) => answer.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect(await messages(a!.url)).toEqual(['one', 'race']);
  });

  it('replays a protobuf OTLP answer recorded in Redis, as bytes, from another gateway', async () => {
    const [a, b] = await deployments.deploy(2);
    const body = toBinary(
      ExportLogsServiceRequestSchema,
      create(ExportLogsServiceRequestSchema, {
        resourceLogs: [
          {
            resource: {
              attributes: [{ key: 'service.name', value: { value: { case: 'stringValue', value: 'svc' } } }],
            },
            scopeLogs: [
              { logRecords: [{ body: { value: { case: 'stringValue', value: 'through otlp' } } }] },
            ],
          },
        ],
      }),
    );
    const post = (url: string) =>
      fetch(`${url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'idempotency-key': '"otlp-1"' },
        body: new Uint8Array(body),
      });
    const first = await post(a!.url);
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    const repeat = await post(b!.url);
    expect([first.status, repeat.status, repeat.headers.get('idempotent-replayed')]).toEqual([
      200,
      200,
      'true',
    ]);
    expect(repeat.headers.get('content-type')).toBe('application/x-protobuf');
    expect(new Uint8Array(await repeat.arrayBuffer())).toEqual(firstBytes);
    expect(a!.gateway.stats().logs.in + b!.gateway.stats().logs.in).toBe(1);
  });
});
