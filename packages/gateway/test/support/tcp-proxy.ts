import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * How the proxy treats connections:
 * - `up`: forwards both ways;
 * - `down`: has cut every connection and cuts each new one at once (the service is gone);
 * - `blackhole`: has cut every connection and accepts new ones but never answers (a host that
 *   swallows packets);
 * - `stalled`: keeps the connections open but moves no data until `up()` (a network partition
 *   that heals: what was sent meanwhile arrives late, in order).
 */
type ProxyMode = 'up' | 'down' | 'blackhole' | 'stalled';

/**
 * A TCP proxy on a free loopback port in front of a real service, so a test can take the service
 * away from the gateway (and give it back) without touching the server other tests share.
 */
export class TcpProxy {
  readonly port: number;
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  /** The proxy's own connections to the target, one per connection forwarded. */
  readonly #upstreams = new Set<Socket>();
  /** Data that arrived while stalled, with where it goes, in arrival order. */
  #held: [Socket, Buffer][] = [];
  #mode: ProxyMode = 'up';
  #closed: Promise<void> | undefined;

  private constructor(server: Server, port: number, target: { host: string; port: number }) {
    this.#server = server;
    this.port = port;
    this.#target = target;
    server.on('connection', (socket) => this.#accept(socket));
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
    return new TcpProxy(server, address.port, target);
  }

  /**
   * Where the forwarded connections come from, as the target sees them (`127.0.0.1:<port>`):
   * the target can tell the connections that came through this proxy from everyone else's.
   */
  upstreamAddresses(): Set<string> {
    const addresses = new Set<string>();
    for (const upstream of this.#upstreams) {
      if (upstream.localPort !== undefined) addresses.add(`${upstream.localAddress}:${upstream.localPort}`);
    }
    return addresses;
  }

  up(): void {
    this.#mode = 'up';
    const held = this.#held;
    this.#held = [];
    for (const [to, chunk] of held) if (!to.destroyed) to.write(chunk);
  }

  down(): void {
    this.#mode = 'down';
    this.#cutAll();
  }

  blackhole(): void {
    this.#mode = 'blackhole';
    this.#cutAll();
  }

  /** Holds every byte either side sends until up(). */
  stall(): void {
    this.#mode = 'stalled';
  }

  /** Stops listening and cuts every connection. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#cutAll();
    });
    return this.#closed;
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => this.#sockets.delete(socket));
    if (this.#mode === 'down') {
      socket.destroy();
      return;
    }
    if (this.#mode === 'blackhole') return;
    const upstream = connect(this.#target.port, this.#target.host);
    this.#sockets.add(upstream);
    this.#upstreams.add(upstream);
    upstream.on('error', () => {});
    upstream.once('close', () => {
      this.#sockets.delete(upstream);
      this.#upstreams.delete(upstream);
    });
    // Either side closing closes the other, as a plain TCP path would.
    socket.once('close', () => upstream.destroy());
    upstream.once('close', () => socket.destroy());
    this.#forward(socket, upstream);
    this.#forward(upstream, socket);
  }

  #forward(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (this.#mode === 'stalled') this.#held.push([to, chunk]);
      else to.write(chunk);
    });
  }

  #cutAll(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    this.#upstreams.clear();
    this.#held = [];
  }
}
