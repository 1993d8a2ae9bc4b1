import type { LoadCounters } from './load-counters.js';
import type { Prng } from './prng.js';
import { SoakClient, type Behaviour } from './soak-client.js';

export interface ClientPoolOptions {
  wsUrl: string;
  apiKey: string;
  exchange: string;
  symbols: readonly string[];
  /** Clients kept at once. */
  clients: number;
  /** Replacements per second: each client lives clients / churn seconds on average. */
  churnPerSecond: number;
  slowShare: number;
  badShare: number;
  rng: Prng;
  counters: LoadCounters;
  /** The first clients are started spread over this long, not in one burst. @default 5000 */
  rampMs?: number;
}

/** A client that lived less than this is replaced after a pause: a refusing target must not get a connect storm. */
const MIN_LIFE_BEFORE_QUICK_REPLACE_MS = 1000;
/** Lifetimes are drawn between these multiples of the mean. */
const MIN_LIFETIME_MS = 1000;
const MAX_LIFETIME_FACTOR = 4;
/** How long close() waits for the clients' close handshakes before cutting them. */
const CLOSE_WAIT_MS = 3000;

/**
 * Keeps `clients` SoakClients connected, replacing each one that leaves. Lifetimes are
 * exponential with mean clients / churn, so about `churn` clients leave (and are replaced) each
 * second. The pool holds only the live clients and the timers of pending starts; both are
 * emptied by close().
 */
export class ClientPool {
  readonly #o: ClientPoolOptions;
  readonly #clients = new Set<SoakClient>();
  readonly #starts = new Set<NodeJS.Timeout>();
  readonly #meanLifetimeMs: number;
  #closing = false;

  constructor(options: ClientPoolOptions) {
    this.#o = options;
    this.#meanLifetimeMs = (options.clients / options.churnPerSecond) * 1000;
  }

  /** Clients whose connection is open. */
  get open(): number {
    let n = 0;
    for (const client of this.#clients) if (client.open) n++;
    return n;
  }

  /** Live clients, open or connecting. */
  get size(): number {
    return this.#clients.size;
  }

  start(): void {
    const ramp = this.#o.rampMs ?? 5000;
    for (let i = 0; i < this.#o.clients; i++) this.#startLater((ramp * i) / this.#o.clients);
  }

  /** Stops starting clients, closes every live one and waits (bounded) until all have closed. Idempotent. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const timer of this.#starts) clearTimeout(timer);
    this.#starts.clear();
    const ends = [...this.#clients].map((client) => {
      client.stop();
      return client.ended;
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(ends),
      new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS + 1000))),
    ]);
    clearTimeout(timer);
  }

  #startLater(delayMs: number): void {
    if (this.#closing) return;
    const timer = setTimeout(() => {
      this.#starts.delete(timer);
      this.#startOne();
    }, delayMs);
    timer.unref();
    this.#starts.add(timer);
  }

  #startOne(): void {
    if (this.#closing) return;
    const { rng } = this.#o;
    const lifetimeMs = Math.min(
      Math.max(MIN_LIFETIME_MS, rng.exponential(this.#meanLifetimeMs)),
      this.#meanLifetimeMs * MAX_LIFETIME_FACTOR,
    );
    const client = new SoakClient({
      wsUrl: this.#o.wsUrl,
      apiKey: this.#o.apiKey,
      exchange: this.#o.exchange,
      symbols: this.#o.symbols,
      behaviour: this.#behaviour(),
      lifetimeMs,
      rng,
      counters: this.#o.counters,
      onEnd: (ended) => this.#onEnd(ended),
    });
    this.#clients.add(client);
  }

  #behaviour(): Behaviour {
    const r = this.#o.rng.next();
    if (r < this.#o.badShare) return 'bad';
    if (r < this.#o.badShare + this.#o.slowShare) return 'slow';
    return 'normal';
  }

  #onEnd(client: SoakClient): void {
    this.#clients.delete(client);
    const lived = performance.now() - client.startedAt;
    if (this.#closing) return;
    this.#startLater(lived < MIN_LIFE_BEFORE_QUICK_REPLACE_MS ? 1000 : this.#o.rng.next() * 100);
  }
}
