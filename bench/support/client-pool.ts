/**
 * Many real WebSocket clients of one server, as the benchmarks need them: opened a few dozen at
 * a time, each taken through a handshake (e.g. authenticate, then subscribe) and then counting
 * every message it receives. Counting is kept to a few additions per message, and UTF-8
 * validation is off, so the clients cost as little CPU as a `ws` client can: the process they
 * run in must not be what limits the measured server.
 */
import { once } from 'node:events';
import { WebSocket } from 'ws';
import type { LatencyRecorder } from './latency-recorder.js';

export interface ClientPoolOptions {
  url: string;
  clients: number;
  /** Sent by each client in turn after it connects, each waiting for a reply with status "success". */
  handshake?: readonly object[];
  /** Connections being opened at once. @default 50 */
  concurrency?: number;
  /** How long one handshake reply may take. @default 30000 */
  replyTimeoutMs?: number;
}

export class ClientPool {
  /** Messages received after the handshakes, over all clients. */
  messages = 0;
  bytes = 0;
  /** The last message received, to check what is being counted. */
  last: Buffer | undefined;
  /** performance.now() of the last message. */
  lastAt = 0;
  /** When set, every message's latency is recorded. */
  recorder: LatencyRecorder | undefined;
  /** Connections the server closed while the pool was open, by close code. */
  readonly closedByServer = new Map<number, number>();
  readonly #sockets: WebSocket[] = [];
  #closing = false;

  private constructor() {}

  static async open(options: ClientPoolOptions): Promise<ClientPool> {
    const pool = new ClientPool();
    let next = 0;
    const worker = async () => {
      while (next < options.clients) {
        next++;
        pool.#sockets.push(await pool.#connect(options));
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 50, options.clients) }, worker));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.#sockets.length;
  }

  /** Closes every connection and waits for each close handshake (cut after 5 s). */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(
      this.#sockets.map(async (ws) => {
        if (ws.readyState === WebSocket.CLOSED) return;
        const closed = once(ws, 'close');
        ws.close();
        const cut = setTimeout(() => ws.terminate(), 5000);
        await closed;
        clearTimeout(cut);
      }),
    );
  }

  async #connect(options: ClientPoolOptions): Promise<WebSocket> {
    const ws = new WebSocket(options.url, { perMessageDeflate: false, skipUTF8Validation: true });
    ws.on('error', () => {}); // a failed connection rejects below; a later one shows as a close
    await Promise.race([
      once(ws, 'open'),
      once(ws, 'close').then(([code]) => Promise.reject(new Error(`connection refused (${String(code)})`))),
    ]);
    for (const message of options.handshake ?? []) {
      const reply = awaitReply(ws, options.replyTimeoutMs ?? 30_000);
      ws.send(JSON.stringify(message));
      await reply;
    }
    ws.on('message', (data: Buffer) => {
      this.messages++;
      this.bytes += data.length;
      this.last = data;
      const now = performance.now();
      this.lastAt = now;
      this.recorder?.record(data, performance.timeOrigin + now);
    });
    ws.once('close', (code: number) => {
      if (!this.#closing) this.closedByServer.set(code, (this.closedByServer.get(code) ?? 0) + 1);
    });
    return ws;
  }
}

/** The next message carrying a `status`; rejects on an error status, a close or a timeout. */
function awaitReply(ws: WebSocket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onMessage = (data: Buffer) => {
      const reply = JSON.parse(data.toString()) as { status?: unknown; code?: unknown };
      if (reply.status === undefined) return;
      done(reply.status === 'success' ? undefined : new Error(`refused: ${String(reply.code)}`));
    };
    const onClose = (code: number) => done(new Error(`closed with ${code} during the handshake`));
    const timer = setTimeout(() => done(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
    ws.on('message', onMessage);
    ws.on('close', onClose);
  });
}
