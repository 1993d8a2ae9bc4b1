import { raceAbort } from '@steadystate/lifecycle';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock, Logger } from '@steadystate/lifecycle';
import type { Exchange, OrderBook, Ticker } from 'ccxt';
import type { DataLevel, Tick } from '../../domain/tick.js';
import { backoffDelay } from './backoff.js';
import { tickFromCcxt } from './ccxt-mapping.js';

/** How a feed reads the exchange: streamed by ccxt pro's watch methods, or polled over REST. */
export type FeedMode = 'watch' | 'poll';

/** What every feed of one adapter shares: settings and where results go. */
export interface FeedContext {
  readonly adapter: string;
  readonly exchangeCode: string;
  readonly exchange: Exchange;
  readonly mode: FeedMode;
  readonly maxDepth: number;
  readonly pollIntervalMs: number;
  readonly maxBackoffMs: number;
  readonly now: Clock;
  readonly logger: Logger;
  /** Hands a tick to the sink; never throws. */
  deliver(tick: Tick): void;
  /** Called after each failed request, with `feed.failures` already counting it. */
  failed(feed: CcxtFeed, error: unknown): void;
  /** Called when a request succeeds after failures. */
  recovered(feed: CcxtFeed): void;
}

/** One shared abort reason: abort() without one builds a DOMException and its stack on every stop. */
const STOPPED = new Error('feed stopped');

type Watched =
  | { kind: 'ticker'; ok: true; ticker: Ticker }
  | { kind: 'book'; ok: true; book: OrderBook }
  | { kind: 'ticker' | 'book'; ok: false; error: unknown };

/**
 * The loop of one subscribed symbol: one request at a time, never overlapping; a failure is
 * reported, then retried after a growing backoff; `stop()` ends it at once, whatever it awaits.
 * In watch mode at level 3 it waits on the ticker and the book streams together and emits when
 * either moves, once both have arrived.
 */
export class CcxtFeed {
  readonly symbol: string;
  /** Read at every request, so raising it takes effect from the next one. */
  level: DataLevel;
  /** Consecutive failed requests; 0 while healthy. */
  failures = 0;
  readonly #context: FeedContext;
  readonly #controller = new AbortController();
  readonly #done: Promise<void>;
  #tickerWatch: Promise<Watched> | undefined;
  #bookWatch: Promise<Watched> | undefined;
  #ticker: Ticker | undefined;
  #book: OrderBook | undefined;
  /** Whether the book stream was ever started, so stop() knows to unsubscribe it. */
  #bookWatched = false;

  constructor(symbol: string, level: DataLevel, context: FeedContext) {
    this.symbol = symbol;
    this.level = level;
    this.#context = context;
    this.#done = this.#run();
  }

  /**
   * Ends the loop and resolves once it has exited. With `unwatch`, also tells the exchange to stop
   * streaming the symbol (closing the whole exchange does that anyway).
   */
  async stop(unwatch: boolean): Promise<void> {
    this.#controller.abort(STOPPED);
    await this.#done;
    if (unwatch && this.#context.mode === 'watch') await this.#unwatch();
  }

  async #run(): Promise<void> {
    const signal = this.#controller.signal;
    const context = this.#context;
    while (!signal.aborted) {
      try {
        const tick =
          context.mode === 'watch' ? await this.#nextWatched(signal) : await this.#nextPolled(signal);
        if (this.failures > 0) {
          this.failures = 0;
          context.recovered(this);
        }
        if (tick) context.deliver(tick);
        if (context.mode === 'poll') await pause(context.pollIntervalMs, signal);
      } catch (error) {
        if (signal.aborted) break;
        this.failures++;
        context.failed(this, error);
        await pause(backoffDelay(this.failures, context.pollIntervalMs, context.maxBackoffMs), signal);
      }
    }
  }

  async #nextPolled(signal: AbortSignal): Promise<Tick> {
    const { exchange, maxDepth } = this.#context;
    const level = this.level;
    const [ticker, book] = await raceAbort(
      Promise.all([
        exchange.fetchTicker(this.symbol),
        level === 3 ? exchange.fetchOrderBook(this.symbol, maxDepth) : undefined,
      ]),
      signal,
    );
    return this.#tick(level, ticker, book);
  }

  async #nextWatched(signal: AbortSignal): Promise<Tick | undefined> {
    const { exchange, maxDepth } = this.#context;
    const level = this.level;
    this.#tickerWatch ??= watchTicker(exchange, this.symbol);
    if (level === 3 && !this.#bookWatch) {
      this.#bookWatch = watchOrderBook(exchange, this.symbol, maxDepth);
      this.#bookWatched = true;
    }
    const watches = this.#bookWatch ? [this.#tickerWatch, this.#bookWatch] : [this.#tickerWatch];
    const next = await raceAbort(Promise.race(watches), signal);
    if (next.kind === 'ticker') this.#tickerWatch = undefined;
    else this.#bookWatch = undefined;
    if (!next.ok) throw next.error;
    if (next.kind === 'ticker') this.#ticker = next.ticker;
    else this.#book = next.book;
    if (!this.#ticker || (level === 3 && !this.#book)) return undefined;
    return this.#tick(level, this.#ticker, this.#book);
  }

  #tick(level: DataLevel, ticker: Ticker, book: OrderBook | undefined): Tick {
    const { exchangeCode, maxDepth, now } = this.#context;
    return tickFromCcxt(
      exchangeCode,
      this.symbol,
      level,
      ticker,
      level === 3 ? book : undefined,
      maxDepth,
      now(),
    );
  }

  async #unwatch(): Promise<void> {
    const { exchange, logger, adapter } = this.#context;
    const calls: [string, () => Promise<unknown>][] = [
      ['unWatchTicker', () => exchange.unWatchTicker(this.symbol)],
    ];
    if (this.#bookWatched) calls.push(['unWatchOrderBook', () => exchange.unWatchOrderBook(this.symbol)]);
    for (const [method, call] of calls) {
      if (exchange.has[method] !== true) continue;
      try {
        await call();
      } catch (error) {
        logger.warn({ adapter, symbol: this.symbol, method, err: error }, 'upstream unsubscribe failed');
      }
    }
  }
}

/** Waits `ms`, or less if `signal` aborts; never rejects. The timer does not hold the process open. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal, ref: false }).catch(() => undefined);
}

/**
 * The next ticker update as a result that never rejects: a watch left pending when the loop
 * stops must not become an unhandled rejection.
 */
async function watchTicker(exchange: Exchange, symbol: string): Promise<Watched> {
  try {
    return { kind: 'ticker', ok: true, ticker: await exchange.watchTicker(symbol) };
  } catch (error) {
    return { kind: 'ticker', ok: false, error };
  }
}

/** The next order-book update, as {@link watchTicker}. */
async function watchOrderBook(exchange: Exchange, symbol: string, limit: number): Promise<Watched> {
  try {
    return { kind: 'book', ok: true, book: await exchange.watchOrderBook(symbol, limit) };
  } catch (error) {
    return { kind: 'book', ok: false, error };
  }
}
