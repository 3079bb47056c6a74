import { once } from 'node:events';
import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net';

/** What the proxy does with connections. */
export type ProxyMode =
  /** Forward bytes both ways. */
  | 'forward'
  /** Accept and at once reset every new connection, as a host that refuses would. */
  | 'refuse'
  /** Keep sockets open, accept new ones, and forward nothing: a network that went silent. */
  | 'stall';

/**
 * A TCP proxy in front of a real server that can fail the way networks do: cut every connection, refuse
 * new ones, or go silent, and then recover. Bytes are forwarded as they come, without buffering, so
 * whatever arrives while stalled is lost, as on a broken path.
 */
export class FaultProxy {
  mode: ProxyMode = 'forward';
  /** Connections accepted since the proxy started, refused ones included. */
  accepted = 0;
  url = '';
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private readonly server: Server;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  static async start(target: string): Promise<FaultProxy> {
    const { hostname, port } = new URL(target);
    const proxy = new FaultProxy(hostname, Number(port));
    proxy.server.listen(0, '127.0.0.1');
    await once(proxy.server, 'listening');
    proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  /** Open connection pairs. */
  get open(): number {
    return this.pairs.size;
  }

  /** Resets every open connection, both sides. */
  cutAll(): void {
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  refuse(): void {
    this.mode = 'refuse';
  }

  stall(): void {
    this.mode = 'stall';
  }

  resume(): void {
    this.mode = 'forward';
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    client.on('error', () => {});
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    upstream.on('error', () => {});
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.on('data', (data) => {
      if (this.mode === 'forward') upstream.write(data);
    });
    upstream.on('data', (data) => {
      if (this.mode === 'forward') client.write(data);
    });
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  }
}
