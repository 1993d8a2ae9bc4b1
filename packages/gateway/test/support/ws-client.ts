import { once } from 'node:events';
import { WebSocket } from 'ws';

export type Message = Record<string, unknown> & { type?: string; status?: string; code?: string };

/**
 * A WebSocket client for tests: keeps every message, waits for the one a test expects, and
 * reports how the connection closed.
 */
export class TestClient {
  readonly ws: WebSocket;
  readonly messages: Message[] = [];
  /** Resolves with the close code and reason once the connection is closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: { predicate: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = once(ws, 'close').then(([code, reason]) => ({
      code: code as number,
      reason: (reason as Buffer).toString(),
    }));
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as Message;
      this.messages.push(message);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.predicate(message)) return true;
        w.resolve(message);
        return false;
      });
    });
    ws.on('error', () => {}); // a refused or cut connection shows in `closed`
  }

  /** Opens a connection and waits until it is open. */
  static async connect(
    url: string,
    options?: ConstructorParameters<typeof WebSocket>[2],
  ): Promise<TestClient> {
    const client = new TestClient(new WebSocket(url, options));
    await once(client.ws, 'open');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, options?: { binary?: boolean }): void {
    this.ws.send(data, options ?? {});
  }

  /** The first message (already received or still to come) matching `predicate`. */
  next(predicate: (m: Message) => boolean, timeoutMs = 5000, what = 'a message'): Promise<Message> {
    const seen = this.messages.find(predicate);
    if (seen) return Promise.resolve(seen);
    return this.#wait(predicate, timeoutMs, what);
  }

  /** The next message of `type` that arrives from now on (ignores earlier ones). */
  nextNew(predicate: (m: Message) => boolean, timeoutMs = 5000, what = 'a message'): Promise<Message> {
    return this.#wait(predicate, timeoutMs, what);
  }

  /** Sends `message` and returns the next reply of `type` (or an error frame). */
  async request(message: Record<string, unknown>, type: string, timeoutMs = 5000): Promise<Message> {
    const reply = this.#wait((m) => m.type === type || m.type === 'error', timeoutMs, `a ${type} reply`);
    this.send(message);
    return reply;
  }

  async authenticate(apiKey: string): Promise<Message> {
    return this.request({ action: 'authenticate', api_key: apiKey }, 'auth');
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }

  #wait(predicate: (m: Message) => boolean, timeoutMs: number, what: string): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = (m: Message) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#waiters.push({ predicate, resolve: done });
    });
  }
}
