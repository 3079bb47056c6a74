import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A round-robin TCP load balancer in front of several gateways, as nginx or a cloud balancer would be:
 * each new connection goes to the next upstream, skipping one that refuses connections.
 */
export class RoundRobinProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private next = 0;
  /** Connections handed to each upstream, by its port. */
  readonly routed = new Map<number, number>();
  port = 0;

  constructor(private readonly upstreams: number[]) {
    this.server = createServer((client) => this.route(client, 0));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens on `port` (a free one when 0). */
  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private route(client: Socket, tried: number): void {
    this.track(client);
    if (tried >= this.upstreams.length) {
      client.destroy();
      return;
    }
    const port = this.upstreams[this.next++ % this.upstreams.length]!;
    const upstream = connect(port, '127.0.0.1');
    this.track(upstream);
    client.pause();
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      this.routed.set(port, (this.routed.get(port) ?? 0) + 1);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.once('close', end);
      upstream.once('close', end);
      client.on('error', end);
      upstream.on('error', end);
    });
    upstream.once('error', () => {
      // Refused before connecting: this upstream is down, try the next one for the same client.
      if (!connected) this.route(client, tried + 1);
    });
  }

  private track(socket: Socket): void {
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
