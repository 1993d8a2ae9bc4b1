import { WebSocket, type RawData } from 'ws';
import { BAD_INPUTS, postAuthFrame, preAuthFrame, type BadInput } from './bad-input.js';
import type { LoadCounters } from './load-counters.js';
import type { Prng } from './prng.js';

/** How a client behaves: an ordinary reader, one that stops reading, or one that sends bad input first. */
export type Behaviour = 'normal' | 'slow' | 'bad';

export interface SoakClientOptions {
  wsUrl: string;
  apiKey: string;
  exchange: string;
  /** The symbols to subscribe from. */
  symbols: readonly string[];
  behaviour: Behaviour;
  /** The client disconnects by itself after this long. */
  lifetimeMs: number;
  rng: Prng;
  counters: LoadCounters;
  /** Called once when the connection is closed, whoever closed it. */
  onEnd: (client: SoakClient) => void;
}

/** market_data frames start with this: counted without parsing, the bulk of what arrives. */
const MARKET_DATA_PREFIX = Buffer.from('{"type":"market_data"');
const MODES = [1, 2, 3] as const;
const DEPTHS = [5, 10, 20] as const;
const SLOW_CLIENT_SYMBOLS = 100;
/** A connection not open by then is cut. */
const CONNECT_TIMEOUT_MS = 10_000;
/** A close handshake the target does not finish is cut after this long. */
const CLOSE_GRACE_MS = 3000;

interface Subscribed {
  symbol: string;
  mode: number;
}

/**
 * One WebSocket client of the gateway profile: connects, authenticates, subscribes to 1-20
 * random symbols in random modes, reads (counting, never keeping), sometimes unsubscribes some,
 * and leaves when its lifetime ends with a clean close, an unsubscribe_all and close, or a cut.
 * A slow client stops reading after subscribing; a bad one sends bad input first. Every timer
 * is cleared when the connection closes, and the pool drops the client then.
 */
export class SoakClient {
  /** performance.now() when the client was created. */
  readonly startedAt = performance.now();
  /** Resolves once the connection has closed and onEnd has run. */
  readonly ended: Promise<void>;
  #resolveEnded!: () => void;
  readonly #o: SoakClientOptions;
  readonly #ws: WebSocket;
  readonly #bad: readonly BadInput[];
  readonly #subscribed: Subscribed[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #opened = false;
  #stopping = false;
  #ended = false;

  constructor(options: SoakClientOptions) {
    this.#o = options;
    this.ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    const { rng } = options;
    this.#bad = options.behaviour === 'bad' ? rng.sample(BAD_INPUTS, rng.int(1, 3)) : [];
    options.counters.clientsStarted++;
    if (options.behaviour === 'slow') options.counters.slowClients++;
    this.#ws = new WebSocket(options.wsUrl, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: CONNECT_TIMEOUT_MS,
    });
    this.#ws.on('open', () => this.#onOpen());
    this.#ws.on('message', (data: RawData) => this.#onMessage(data));
    // A failed or cut connection shows as a close; the error itself carries nothing to count.
    this.#ws.on('error', () => {});
    this.#ws.on('close', (code: number) => this.#onClose(code));
    this.#after(options.lifetimeMs, () => this.stop());
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Leaves now: a close handshake (sometimes after unsubscribe_all) or a cut; slow clients are cut. */
  stop(): void {
    if (this.#stopping || this.#ended) return;
    this.#stopping = true;
    this.#clearTimers();
    const { counters, rng } = this.#o;
    if (this.#ws.readyState !== WebSocket.OPEN || this.#o.behaviour === 'slow' || rng.chance(0.3)) {
      counters.terminatedByUs++;
      this.#ws.terminate();
      return;
    }
    counters.closedByUs++;
    if (rng.chance(0.15)) this.#ws.send(JSON.stringify({ action: 'unsubscribe_all' }));
    this.#ws.close(1000, 'soak client done');
    this.#after(CLOSE_GRACE_MS, () => this.#ws.terminate());
  }

  #onOpen(): void {
    this.#opened = true;
    const { counters, exchange, apiKey } = this.#o;
    counters.connected++;
    const symbol = this.#o.rng.pick(this.#o.symbols);
    for (const kind of this.#bad) {
      const frame = preAuthFrame(kind, symbol, exchange);
      if (frame !== null) this.#sendBad(frame);
    }
    if (!this.#bad.includes('never-authenticate')) {
      this.#ws.send(JSON.stringify({ action: 'authenticate', api_key: apiKey }));
    }
  }

  #onMessage(data: RawData): void {
    const buffer = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    const { counters } = this.#o;
    counters.bytesReceived += buffer.length;
    if (buffer.subarray(0, MARKET_DATA_PREFIX.length).equals(MARKET_DATA_PREFIX)) {
      counters.marketData++;
      return;
    }
    counters.replies++;
    let reply: { type?: unknown; status?: unknown; code?: unknown; subscriptions?: unknown };
    try {
      reply = JSON.parse(buffer.toString()) as typeof reply;
    } catch {
      counters.errorsByCode.add('UNPARSABLE_REPLY');
      return;
    }
    if (reply.status === 'error' && typeof reply.code === 'string') {
      counters.errorsByCode.add(reply.code);
      if (reply.code === 'AUTHENTICATION_ERROR') counters.authFailures++;
      return;
    }
    if (reply.type === 'auth' && reply.status === 'success') {
      counters.authOk++;
      this.#onAuthenticated();
    } else if (reply.type === 'subscribe' && Array.isArray(reply.subscriptions)) {
      counters.symbolsSubscribed += reply.subscriptions.filter(
        (s: { status?: unknown }) => s.status === 'success',
      ).length;
      // The slow-consumer path: the gateway's send buffer for this client fills from here on.
      if (this.#o.behaviour === 'slow') this.#ws.pause();
    }
  }

  #onAuthenticated(): void {
    const { rng, symbols, exchange, counters } = this.#o;
    for (const kind of this.#bad) {
      const frame = postAuthFrame(kind, rng.pick(symbols), exchange);
      if (frame !== null) this.#sendBad(frame);
    }
    const slow = this.#o.behaviour === 'slow';
    // A slow client takes a lot of data (100 symbols at Depth 20, ~0.5 MB/s) so that the socket
    // buffers between it and the gateway (a few MB) fill within seconds and the gateway's own
    // send buffer starts to grow: the slow-consumer path.
    const chosen = rng.sample(symbols, slow ? SLOW_CLIENT_SYMBOLS : rng.int(1, 20));
    const groups = slow || chosen.length < 2 || rng.chance(0.5) ? [chosen] : halves(chosen);
    for (const group of groups) {
      const mode = slow ? 3 : rng.pick(MODES);
      const depth = slow ? 20 : rng.pick(DEPTHS);
      counters.subscribeRequests++;
      this.#ws.send(
        JSON.stringify({
          action: 'subscribe',
          symbols: group.map((symbol) => ({ symbol, exchange })),
          mode,
          ...(mode === 3 ? { depth } : {}),
        }),
      );
      for (const symbol of group) this.#subscribed.push({ symbol, mode });
    }
    if (!slow && rng.chance(0.5)) {
      this.#after(rng.next() * this.#o.lifetimeMs * 0.8, () => this.#unsubscribeSome());
    }
  }

  #unsubscribeSome(): void {
    if (!this.open || this.#subscribed.length === 0) return;
    const { rng, exchange, counters } = this.#o;
    const leaving = rng.sample(this.#subscribed, rng.int(1, this.#subscribed.length));
    counters.unsubscribeRequests++;
    this.#ws.send(
      JSON.stringify({
        action: 'unsubscribe',
        symbols: leaving.map(({ symbol, mode }) => ({ symbol, exchange, mode })),
      }),
    );
  }

  #sendBad(frame: string): void {
    this.#o.counters.badFramesSent++;
    this.#ws.send(frame);
  }

  #onClose(code: number): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#clearTimers();
    const { counters } = this.#o;
    // A connection we cut while it was still opening (the run ended) failed through no fault of the target.
    if (!this.#stopping) {
      if (this.#opened) counters.closedByTarget.add(String(code));
      else counters.connectFailures++;
    }
    this.#subscribed.length = 0;
    this.#o.onEnd(this);
    this.#resolveEnded();
  }

  #after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

function halves<T>(items: readonly T[]): T[][] {
  const middle = Math.ceil(items.length / 2);
  return [items.slice(0, middle), items.slice(middle)];
}
