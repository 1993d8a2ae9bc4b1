/**
 * The baseline the gateway is measured against: the smallest `ws` server that could stand in for
 * it. It keeps `ws`'s own set of clients, answers every frame a client sends with one canned
 * success reply (so the same client code, which waits for its authenticate and subscribe
 * replies, can drive both servers), and `broadcast()` sends a buffer to every open client.
 *
 * Per delivery it does what the gateway's send path also does: a readyState check, a send-buffer
 * check against the same bound (over it, the delivery is skipped and counted, where the gateway
 * would conflate), and `ws.send`. It does not parse, validate or rate-limit client frames,
 * authenticate, route by symbol and mode (every client gets every message), keep per-client
 * counters, a ring buffer, a last-tick cache or metrics, ping, or check for slow consumers.
 *
 * `corkAll()` and `uncorkAll()` hold every client's socket (the one the `upgrade` event handed
 * over) for a batch of broadcasts, as the gateway does for a fan-out turn: the baseline with the
 * same per-turn corking, the ceiling for that design.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

const REPLY = Buffer.from('{"type":"ack","status":"success"}');
const TEXT = { binary: false } as const;

export class RawBroadcastServer {
  readonly url: string;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #maxBufferedBytes: number;
  /** Every client's socket, for corking; undefined unless started `corkable`. */
  readonly #sockets: Map<WebSocket, Duplex> | undefined;
  /** Deliveries skipped because the client's send buffer was over the bound. */
  skipped = 0;

  private constructor(
    http: Server,
    wss: WebSocketServer,
    sockets: Map<WebSocket, Duplex> | undefined,
    maxBufferedBytes: number,
  ) {
    this.#http = http;
    this.#sockets = sockets;
    this.#wss = wss;
    this.#maxBufferedBytes = maxBufferedBytes;
    const address = http.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    this.url = `ws://127.0.0.1:${port}`;
  }

  /**
   * Listens on a free loopback port. For a fair comparison `maxBufferedBytes` is the gateway's
   * WS_MAX_BUFFERED_BYTES; a server that never broadcasts can leave it unbounded. `corkable`
   * keeps each client's socket for `corkAll()`; without it the server holds nothing per client
   * beyond `ws`'s own set, the baseline for the memory benchmark.
   */
  static async start(
    options: { maxBufferedBytes?: number; corkable?: boolean } = {},
  ): Promise<RawBroadcastServer> {
    const http = createServer();
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    const sockets = options.corkable ? new Map<WebSocket, Duplex>() : undefined;
    http.on('upgrade', (request, socket, head) => {
      wss.handleUpgrade(request, socket, head, (ws) => {
        ws.on('message', () => ws.send(REPLY, TEXT));
        ws.on('error', () => {});
        if (sockets) {
          sockets.set(ws, socket);
          ws.on('close', () => sockets.delete(ws));
        }
      });
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    return new RawBroadcastServer(http, wss, sockets, options.maxBufferedBytes ?? Number.POSITIVE_INFINITY);
  }

  get clientCount(): number {
    return this.#wss.clients.size;
  }

  broadcast(payload: Buffer): void {
    for (const ws of this.#wss.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > this.#maxBufferedBytes) {
        this.skipped++;
        continue;
      }
      ws.send(payload, TEXT);
    }
  }

  /** Holds every client's writes until `uncorkAll()`. */
  corkAll(): void {
    for (const socket of this.#corkable().values()) socket.cork();
  }

  uncorkAll(): void {
    for (const socket of this.#corkable().values()) socket.uncork();
  }

  #corkable(): Map<WebSocket, Duplex> {
    if (!this.#sockets) throw new Error('RawBroadcastServer: started without `corkable`');
    return this.#sockets;
  }

  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }
}
