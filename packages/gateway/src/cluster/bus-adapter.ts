import { incrementCounter } from '@steadystate/lifecycle';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { GatewayErrorCode } from '../errors.js';
import type { DataLevel } from '../domain/tick.js';
import type {
  AdapterStatus,
  TickSink,
  UpstreamAdapter,
  UpstreamAdapterStats,
} from '../upstream/upstream-adapter.js';
import { checkLevel, errorMessage, UpstreamError } from '../upstream/upstream-error.js';
import type { Bus } from './bus.js';
import { decodeSymbolList, symbolsSubject } from './symbols-reply.js';
import { decodeTick, MAX_BOOK_LEVELS, MAX_TICK_BYTES } from './tick-codec.js';

export interface BusAdapterOptions {
  bus: Bus;
  exchange: string;
  /** The broker name clients see, the same as the lease holder's adapter's. */
  broker: string;
  sink: TickSink;
  /** How long to wait for the lease holder's symbol list. @default 5000 */
  symbolsTimeoutMs?: number;
}

/**
 * A cluster node's adapter for one exchange: it subscribes to the bus subjects of the symbols its
 * clients want and hands the decoded ticks to the gateway, exactly as a local adapter would, so
 * caches, the ring buffer, conflation and metrics work unchanged. It never talks to the exchange:
 * the node's demand (published from the topic index) tells the lease holder what to subscribe
 * upstream. A message that does not decode, or that names another exchange or symbol, is counted
 * in the bus's `undecodable` and dropped.
 */
export class BusAdapter implements UpstreamAdapter {
  readonly name: string;
  readonly exchange: string;
  readonly maxDepth = MAX_BOOK_LEVELS;
  readonly #o: BusAdapterOptions;
  readonly #subscriptions = new Map<string, Subscription>();
  #symbols: Promise<ReadonlySet<string>> | undefined;
  #closed = false;
  #ticks = 0;
  #errors = 0;
  #lastError: string | null = null;

  constructor(options: BusAdapterOptions) {
    this.#o = options;
    this.name = options.broker;
    this.exchange = options.exchange;
  }

  async listSymbols(): Promise<readonly string[]> {
    return [...(await this.#symbolSet())];
  }

  async hasSymbol(symbol: string): Promise<boolean> {
    return (await this.#symbolSet()).has(symbol);
  }

  subscribe(symbol: string, level: DataLevel): Promise<void> {
    return new Promise((resolve) => {
      if (this.#closed)
        throw new UpstreamError(GatewayErrorCode.ADAPTER_CLOSED, this.name, 'the adapter is closed');
      checkLevel(this.name, level);
      if (!this.#subscriptions.has(symbol)) {
        const subject = this.#o.bus.tickSubject(this.exchange, symbol);
        const subscription = this.#o.bus.connection.subscribe(subject, {
          callback: (error, message) => {
            if (!error) this.#receive(symbol, message);
          },
        });
        this.#subscriptions.set(symbol, subscription);
      }
      resolve();
    });
  }

  unsubscribe(symbol: string): Promise<void> {
    const subscription = this.#subscriptions.get(symbol);
    if (subscription) {
      this.#subscriptions.delete(symbol);
      subscription.unsubscribe();
    }
    return Promise.resolve();
  }

  subscribedSymbols(): readonly string[] {
    return [...this.#subscriptions.keys()];
  }

  status(): AdapterStatus {
    if (this.#closed) return 'closed';
    return this.#o.bus.connected ? 'connected' : 'degraded';
  }

  stats(): UpstreamAdapterStats {
    return {
      name: this.name,
      exchange: this.exchange,
      status: this.status(),
      subscriptions: this.#subscriptions.size,
      ticks: this.#ticks,
      errors: this.#errors,
      lastError: this.#lastError,
    };
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const subscription of this.#subscriptions.values()) subscription.unsubscribe();
    this.#subscriptions.clear();
    this.#symbols = undefined;
    return Promise.resolve();
  }

  #receive(symbol: string, message: Msg): void {
    const { counters } = this.#o.bus;
    counters.received++;
    try {
      if (message.data.length > MAX_TICK_BYTES) throw new Error(`${message.data.length} bytes`);
      const tick = decodeTick(message.data);
      if (tick.exchange !== this.exchange || tick.symbol !== symbol) throw new Error('another symbol');
      this.#ticks = incrementCounter(this.#ticks, 1);
      this.#o.sink(tick);
    } catch (error) {
      counters.undecodable++;
      this.#errors = incrementCounter(this.#errors, 1);
      this.#lastError = `undecodable bus message: ${errorMessage(error)}`;
    }
  }

  /** The exchange's symbols as the lease holder lists them, asked once per adapter (retried after a failure). */
  #symbolSet(): Promise<ReadonlySet<string>> {
    if (this.#closed) return Promise.resolve(new Set());
    this.#symbols ??= this.#requestSymbols().catch((error: unknown) => {
      this.#symbols = undefined;
      throw error;
    });
    return this.#symbols;
  }

  async #requestSymbols(): Promise<ReadonlySet<string>> {
    const { bus } = this.#o;
    let reply: Msg;
    try {
      reply = await bus.connection.request(symbolsSubject(bus, this.exchange), undefined, {
        timeout: this.#o.symbolsTimeoutMs ?? 5000,
      });
    } catch (error) {
      throw new UpstreamError(
        GatewayErrorCode.UPSTREAM_UNAVAILABLE,
        this.name,
        `no cluster node serves ${this.exchange} yet (${errorMessage(error)})`,
        { cause: error },
      );
    }
    const symbols = decodeSymbolList(reply.data);
    if (!symbols) {
      bus.counters.undecodable++;
      throw new UpstreamError(
        GatewayErrorCode.UPSTREAM_UNAVAILABLE,
        this.name,
        'the symbol list on the bus did not decode',
      );
    }
    return new Set(symbols);
  }
}
