import { GatewayErrorCode } from '../../errors.js';
import { stderrLogger, systemClock, type Clock, type Logger, incrementCounter } from '@steadystate/lifecycle';
import type { Exchange } from 'ccxt';
import { z } from 'zod';
import {
  functionOption,
  integerIn,
  loggerOption,
  parseOptions,
  structuresOption,
} from '../adapter-options.js';
import { registerSubscriptions } from '../register-subscriptions.js';
import type { DataLevel, Tick } from '../../domain/tick.js';
import type { AdapterStatus, TickSink, UpstreamAdapter, UpstreamAdapterStats } from '../upstream-adapter.js';
import { checkLevel, errorMessage, UpstreamError } from '../upstream-error.js';
import type { CcxtAdapterOptions } from './ccxt-adapter-options.js';
import { closeCcxtExchange, createCcxtExchange, type CreateExchange } from './ccxt-exchange.js';
import { CcxtFeed, type FeedContext, type FeedMode } from './ccxt-feed.js';

export type { CcxtAdapterOptions };

export interface CcxtAdapterStats extends UpstreamAdapterStats {
  /** 'watch' (ccxt pro streams) or 'poll' (REST), once the exchange is set up. */
  mode: FeedMode | null;
  /** Subscribed symbols whose last request failed. */
  failingSymbols: number;
}

interface Loaded {
  context: FeedContext;
  symbols: readonly string[];
  known: ReadonlySet<string>;
}

const schema = z.object({
  exchangeId: z.string().regex(/^[a-z][a-z0-9]*$/, 'a ccxt exchange id such as "binance"'),
  sink: functionOption<TickSink>(),
  pollIntervalMs: integerIn(100, 3_600_000).default(2000),
  maxBackoffMs: integerIn(1000, 3_600_000).default(60_000),
  maxDepth: integerIn(1, 1000).default(20),
  maxSubscriptions: integerIn(1, 10_000).default(200),
  createExchange: functionOption<CreateExchange>().default(() => createCcxtExchange),
  structures: structuresOption().optional(),
  logger: loggerOption().default(() => stderrLogger),
  now: functionOption<Clock>().default(() => systemClock),
});

/**
 * The upstream adapter of one real exchange through ccxt. It streams with ccxt pro's
 * `watchTicker` / `watchOrderBook` where the exchange supports both, and polls `fetchTicker` /
 * `fetchOrderBook` otherwise: one loop per subscribed symbol, stopped at once on unsubscribe or
 * close. The exchange instance is created, and its symbol list loaded, on first use; a failed
 * load is retried by the next call. While any request fails the status is 'degraded'.
 */
export class CcxtAdapter implements UpstreamAdapter {
  readonly name: string;
  readonly exchange: string;
  readonly exchangeId: string;
  readonly maxDepth: number;
  readonly #sink: TickSink;
  readonly #pollIntervalMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxSubscriptions: number;
  readonly #createExchange: CreateExchange;
  readonly #logger: Logger;
  readonly #now: Clock;
  readonly #feeds = new Map<string, CcxtFeed>();
  readonly #unregister: () => void;
  #instance: Promise<Exchange> | undefined;
  #loading: Promise<Loaded> | undefined;
  #mode: FeedMode | null = null;
  #loadFailing = false;
  #closing: Promise<void> | undefined;
  #ticks = 0;
  #errors = 0;
  #lastError: string | null = null;

  constructor(options: CcxtAdapterOptions) {
    const o = parseOptions('CcxtAdapter', schema, options);
    this.exchangeId = o.exchangeId;
    this.name = `ccxt:${o.exchangeId}`;
    this.exchange = o.exchangeId.toUpperCase();
    this.maxDepth = o.maxDepth;
    this.#sink = o.sink;
    this.#pollIntervalMs = o.pollIntervalMs;
    this.#maxBackoffMs = o.maxBackoffMs;
    this.#maxSubscriptions = o.maxSubscriptions;
    this.#createExchange = o.createExchange;
    this.#logger = o.logger;
    this.#now = o.now;
    this.#unregister = registerSubscriptions(o.structures, this.name, o.maxSubscriptions, this.#feeds);
  }

  /** Every symbol the exchange lists (loads the markets on first call); [] after close. */
  async listSymbols(): Promise<readonly string[]> {
    if (this.#closing) return [];
    return (await this.#load()).symbols;
  }

  async hasSymbol(symbol: string): Promise<boolean> {
    if (this.#closing) return false;
    return (await this.#load()).known.has(symbol);
  }

  /**
   * Starts the loop of `symbol`, or raises its level (the loop's next request uses it); never
   * lowers it. Rejects with an UpstreamError: `UNKNOWN_SYMBOL`, `INVALID_LEVEL`,
   * `SUBSCRIPTION_LIMIT`, `UPSTREAM_UNAVAILABLE` (markets could not load) or `ADAPTER_CLOSED`.
   */
  async subscribe(symbol: string, level: DataLevel): Promise<void> {
    this.#assertOpen();
    checkLevel(this.name, level);
    let loaded: Loaded | undefined;
    try {
      loaded = await this.#load();
    } finally {
      // Closed while the markets loaded: that is the answer, whatever the load did.
      this.#assertOpen();
    }
    if (!loaded.known.has(symbol)) {
      throw new UpstreamError(
        GatewayErrorCode.UNKNOWN_SYMBOL,
        this.name,
        `unknown symbol ${JSON.stringify(symbol)}`,
      );
    }
    const feed = this.#feeds.get(symbol);
    if (feed) {
      feed.level = Math.max(feed.level, level) as DataLevel;
      return;
    }
    if (this.#feeds.size >= this.#maxSubscriptions) {
      throw new UpstreamError(
        GatewayErrorCode.SUBSCRIPTION_LIMIT,
        this.name,
        `maxSubscriptions (${this.#maxSubscriptions}) reached`,
      );
    }
    this.#feeds.set(symbol, new CcxtFeed(symbol, level, loaded.context));
  }

  /** Stops the loop of `symbol` and unsubscribes its streams upstream; resolves once it has stopped. */
  async unsubscribe(symbol: string): Promise<void> {
    const feed = this.#feeds.get(symbol);
    if (!feed) return;
    this.#feeds.delete(symbol);
    await feed.stop(!this.#closing);
  }

  subscribedSymbols(): readonly string[] {
    return [...this.#feeds.keys()];
  }

  status(): AdapterStatus {
    if (this.#closing) return 'closed';
    if (this.#loadFailing || this.#failingSymbols() > 0) return 'degraded';
    return this.#mode === null ? 'connecting' : 'connected';
  }

  stats(): CcxtAdapterStats {
    return {
      name: this.name,
      exchange: this.exchange,
      status: this.status(),
      subscriptions: this.#feeds.size,
      ticks: this.#ticks,
      errors: this.#errors,
      lastError: this.#lastError,
      mode: this.#mode,
      failingSymbols: this.#failingSymbols(),
    };
  }

  /**
   * Stops every loop, then closes the exchange: its WebSockets and its HTTP connections. Errors
   * are logged, not thrown. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    const feeds = [...this.#feeds.values()];
    this.#feeds.clear();
    this.#unregister();
    // Loops first, so none is left calling an exchange that is being closed.
    await Promise.allSettled(feeds.map((feed) => feed.stop(false)));
    const exchange = await this.#instance?.catch(() => undefined);
    if (!exchange) return;
    await closeCcxtExchange(exchange, this.name, this.#logger);
  }

  #assertOpen(): void {
    if (this.#closing) {
      throw new UpstreamError(GatewayErrorCode.ADAPTER_CLOSED, this.name, 'the adapter is closed');
    }
  }

  #failingSymbols(): number {
    let failing = 0;
    for (const feed of this.#feeds.values()) if (feed.failures > 0) failing++;
    return failing;
  }

  /** The exchange and its markets, loaded once; a failure is not cached, so the next call retries. */
  #load(): Promise<Loaded> {
    this.#loading ??= this.#loadOnce().catch((error: unknown) => {
      this.#loading = undefined;
      throw error;
    });
    return this.#loading;
  }

  async #loadOnce(): Promise<Loaded> {
    try {
      this.#instance ??= Promise.resolve(this.#createExchange(this.exchangeId)).catch((error: unknown) => {
        this.#instance = undefined;
        throw error;
      });
      const exchange = await this.#instance;
      // ccxt keeps a failed load's promise and hands it out again unless asked to reload.
      await exchange.loadMarkets(this.#loadFailing);
      const symbols = Object.freeze([...exchange.symbols]);
      this.#mode =
        exchange.has['watchTicker'] === true && exchange.has['watchOrderBook'] === true ? 'watch' : 'poll';
      this.#loadFailing = false;
      return { context: this.#feedContext(exchange, this.#mode), symbols, known: new Set(symbols) };
    } catch (error) {
      this.#failed(error, { during: 'loadMarkets' });
      this.#loadFailing = true;
      const message = 'could not load the markets';
      throw new UpstreamError(GatewayErrorCode.UPSTREAM_UNAVAILABLE, this.name, message, { cause: error });
    }
  }

  #feedContext(exchange: Exchange, mode: FeedMode): FeedContext {
    return {
      adapter: this.name,
      exchangeCode: this.exchange,
      exchange,
      mode,
      maxDepth: this.maxDepth,
      pollIntervalMs: this.#pollIntervalMs,
      maxBackoffMs: this.#maxBackoffMs,
      now: this.#now,
      logger: this.#logger,
      deliver: (tick) => this.#deliver(tick),
      failed: (feed, error) => this.#failed(error, { symbol: feed.symbol, failures: feed.failures }),
      recovered: (feed) =>
        this.#logger.info({ adapter: this.name, symbol: feed.symbol }, 'upstream requests succeed again'),
    };
  }

  #deliver(tick: Tick): void {
    this.#ticks = incrementCounter(this.#ticks);
    try {
      this.#sink(tick);
    } catch (error) {
      this.#errors = incrementCounter(this.#errors);
      this.#lastError = errorMessage(error);
      this.#logger.error(
        { adapter: this.name, symbol: tick.symbol, err: error },
        'tick sink threw; the tick was lost',
      );
    }
  }

  #failed(error: unknown, context: object): void {
    this.#errors = incrementCounter(this.#errors);
    this.#lastError = errorMessage(error);
    this.#logger.warn({ adapter: this.name, ...context, err: error }, 'upstream request failed; will retry');
  }
}
