import { GatewayErrorCode } from '../../errors.js';
import {
  PeriodicJob,
  stderrLogger,
  systemClock,
  type Clock,
  type Logger,
  incrementCounter,
} from '@steadystate/lifecycle';
import { z } from 'zod';
import {
  functionOption,
  integerIn,
  loggerOption,
  numberIn,
  parseOptions,
  structuresOption,
} from '../adapter-options.js';
import { registerSubscriptions } from '../register-subscriptions.js';
import type { DataLevel } from '../../domain/tick.js';
import type { AdapterStatus, TickSink, UpstreamAdapter, UpstreamAdapterStats } from '../upstream-adapter.js';
import { checkLevel, errorMessage, UpstreamError } from '../upstream-error.js';
import type { SimAdapterOptions } from './sim-adapter-options.js';
import { SimFeed } from './sim-feed.js';
import { SimMarket } from './sim-market.js';

export type { SimAdapterOptions };

export interface SimAdapterStats extends UpstreamAdapterStats {
  /** Ticks dropped because the process fell behind by more than two steps. */
  skippedTicks: number;
}

const NAME = 'sim';

const schema = z.object({
  sink: functionOption<TickSink>(),
  market: z.instanceof(SimMarket, { error: 'a SimMarket' }).optional(),
  ticksPerSecond: numberIn(0.1, 100).default(2),
  stepMs: integerIn(10, 1000).default(50),
  maxDepth: integerIn(1, 100).default(20),
  structures: structuresOption().optional(),
  logger: loggerOption().default(() => stderrLogger),
  now: functionOption<Clock>().default(() => systemClock),
});

/**
 * The upstream adapter of the simulated exchange `SIM`: ticks for the subscribed symbols of a
 * {@link SimMarket}, `ticksPerSecond` per symbol, from one timer for the whole adapter. Each
 * step emits the ticks that fell due since the last, and the symbols' ticks are spread over the
 * steps, so the load is smooth rather than one burst a second.
 *
 * A level-3 tick may share its `depth` arrays with the previous tick of the symbol when the
 * book did not change: consumers must treat ticks as immutable.
 */
export class SimAdapter implements UpstreamAdapter {
  readonly name = NAME;
  readonly exchange = 'SIM';
  readonly maxDepth: number;
  readonly ticksPerSecond: number;
  readonly market: SimMarket;
  readonly #sink: TickSink;
  readonly #logger: Logger;
  readonly #now: Clock;
  readonly #periodMs: number;
  /** The most ticks of one symbol a step emits: two steps' worth, so a stall is not answered with a burst. */
  readonly #maxBurst: number;
  readonly #feeds = new Map<string, SimFeed>();
  readonly #job: PeriodicJob;
  readonly #unregister: () => void;
  #closing: Promise<void> | undefined;
  #ticks = 0;
  #errors = 0;
  #skippedTicks = 0;
  #lastError: string | null = null;

  constructor(options: SimAdapterOptions) {
    const o = parseOptions('SimAdapter', schema, options);
    this.#sink = o.sink;
    this.market = o.market ?? new SimMarket();
    this.ticksPerSecond = o.ticksPerSecond;
    this.maxDepth = o.maxDepth;
    this.#logger = o.logger;
    this.#now = o.now;
    this.#periodMs = 1000 / o.ticksPerSecond;
    this.#maxBurst = 2 * Math.ceil(o.stepMs / this.#periodMs);
    this.#unregister = registerSubscriptions(o.structures, NAME, this.market.symbols.length, this.#feeds);
    this.#job = new PeriodicJob({
      name: `upstream.${NAME}.step`,
      intervalMs: o.stepMs,
      run: () => void this.step(),
      logger: o.logger,
      now: o.now,
    });
  }

  listSymbols(): Promise<readonly string[]> {
    return Promise.resolve(this.#closing ? [] : this.market.symbols);
  }

  hasSymbol(symbol: string): Promise<boolean> {
    return Promise.resolve(!this.#closing && this.market.has(symbol));
  }

  /** Subscribes `symbol` at `level`, or raises an existing subscription to `level`; never lowers it. */
  subscribe(symbol: string, level: DataLevel): Promise<void> {
    // The executor runs at once, so the subscription is in place when this returns; a throw rejects.
    return new Promise((resolve) => {
      this.#subscribe(symbol, level);
      resolve();
    });
  }

  unsubscribe(symbol: string): Promise<void> {
    const feed = this.#feeds.get(symbol);
    if (feed) {
      feed.stopped = true;
      this.#feeds.delete(symbol);
    }
    return Promise.resolve();
  }

  subscribedSymbols(): readonly string[] {
    return [...this.#feeds.keys()];
  }

  status(): AdapterStatus {
    return this.#closing ? 'closed' : 'connected';
  }

  stats(): SimAdapterStats {
    return {
      name: this.name,
      exchange: this.exchange,
      status: this.status(),
      subscriptions: this.#feeds.size,
      ticks: this.#ticks,
      errors: this.#errors,
      lastError: this.#lastError,
      skippedTicks: this.#skippedTicks,
    };
  }

  /**
   * Emits every tick that fell due by now and returns how many went to the sink. The timer calls
   * it every `stepMs`; with an injected clock, tests call it directly.
   */
  step(): number {
    if (this.#closing) return 0;
    const now = this.#now();
    let delivered = 0;
    let failed = 0;
    let firstError: unknown;
    for (const feed of this.#feeds.values()) {
      for (let burst = 0; feed.nextTime <= now && !feed.stopped; burst++) {
        if (burst === this.#maxBurst) {
          this.#skippedTicks = incrementCounter(this.#skippedTicks, feed.skipTo(now));
          break;
        }
        try {
          this.#sink(feed.takeTick(this.exchange, this.maxDepth, now));
          delivered++;
        } catch (error) {
          failed++;
          firstError ??= error;
        }
      }
    }
    this.#ticks = incrementCounter(this.#ticks, delivered + failed);
    if (failed > 0) this.#sinkFailed(failed, firstError);
    return delivered;
  }

  /** Stops the timer and drops every subscription. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #subscribe(symbol: string, level: DataLevel): void {
    if (this.#closing) {
      throw new UpstreamError(GatewayErrorCode.ADAPTER_CLOSED, NAME, 'the adapter is closed');
    }
    checkLevel(NAME, level);
    const feed = this.#feeds.get(symbol);
    if (feed) {
      feed.level = Math.max(feed.level, level) as DataLevel;
      return;
    }
    const instrument = this.market.instrument(symbol);
    this.#feeds.set(symbol, new SimFeed(instrument, level, this.#periodMs, this.#now()));
  }

  async #close(): Promise<void> {
    for (const feed of this.#feeds.values()) feed.stopped = true;
    this.#feeds.clear();
    this.#unregister();
    await this.#job.close();
  }

  /** One log line per step however many ticks failed: a broken sink must not flood the log. */
  #sinkFailed(failed: number, error: unknown): void {
    this.#errors = incrementCounter(this.#errors, failed);
    this.#lastError = errorMessage(error);
    this.#logger.error({ adapter: NAME, failed, err: error }, 'tick sink threw; those ticks were lost');
  }
}
