/**
 * The benchmarks' tick source: a fixed set of symbols on exchange `BENCH`, each with a few
 * precomputed Quote-level ticks that are replayed in a fixed order and stamped when emitted.
 * The gateway gets them through a real UpstreamAdapter in a custom ExchangeCatalog; the raw `ws`
 * baseline serializes the very same ticks. Producing a tick costs one object literal, so the
 * server's time goes to what is being compared, not to a price model (the simulated exchange
 * would spend the gateway's CPU on random walks and stamps ticks in whole milliseconds).
 */
import {
  ExchangeCatalog,
  type AdapterStatus,
  type DataLevel,
  type Tick,
  type TickSink,
  type UpstreamAdapter,
  type UpstreamAdapterStats,
} from '@steadystate/gateway';
import { Pump } from './pump.js';

export const BENCH_EXCHANGE = 'BENCH';
export const BENCH_BROKER = 'bench';
/** Precomputed ticks per symbol, replayed in a cycle. */
const VARIANTS = 16;

/** Milliseconds since the epoch with sub-millisecond precision; comparable across processes on one machine. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export function benchSymbols(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `BENCH${i}/USDT`);
}

/**
 * The ticks in emission order: tick `j` of a run is `sequence[j % sequence.length]`, cycling over
 * the symbols first, so consecutive ticks belong to different symbols.
 */
export function tickSequence(symbols: readonly string[]): Tick[] {
  const sequence: Tick[] = [];
  for (let v = 0; v < VARIANTS; v++) {
    symbols.forEach((symbol, s) => sequence.push(quoteTick(symbol, s, v)));
  }
  return sequence;
}

/** A realistic Quote-level tick; deterministic in (symbol index, variant). */
function quoteTick(symbol: string, s: number, v: number): Tick {
  const open = 100 + 37.5 * s;
  const ltp = Math.round(open * (1 + 0.0013 * Math.sin(v + s)) * 100) / 100;
  const time = 1_767_225_600_000 + v * 250;
  return {
    exchange: BENCH_EXCHANGE,
    symbol,
    timestamp: time,
    ltp,
    ltt: time,
    quote: {
      volume: 125_000 + 731 * v,
      open,
      high: Math.max(open, ltp) + 0.5,
      low: Math.min(open, ltp) - 0.5,
      close: open,
      lastTradeQuantity: 0.25 + v / 8,
      averagePrice: Math.round(((open + ltp) / 2) * 100) / 100,
      totalBuyQuantity: 5200 + 13 * v,
      totalSellQuantity: 4900 + 17 * v,
      change: Math.round((ltp - open) * 100) / 100,
      changePercent: Math.round(((ltp - open) / open) * 10_000) / 100,
      oi: 0,
      upperCircuit: 0,
      lowerCircuit: 0,
    },
  };
}

/**
 * The gateway's side of the tick source: a catalog with one exchange, `BENCH`, whose adapter
 * emits the tick sequence (restamped with {@link epochNow}) for the symbols subscribed upstream,
 * driven by `pump`.
 */
export class BenchFeed {
  readonly catalog: ExchangeCatalog;
  readonly pump = new Pump((count) => this.#emit(count));
  readonly #symbols: readonly string[];
  readonly #sequence: Tick[];
  #adapter: BenchAdapter | undefined;
  #next = 0;

  constructor(symbols: readonly string[]) {
    this.#symbols = symbols;
    this.#sequence = tickSequence(symbols);
    this.catalog = new ExchangeCatalog([
      {
        exchange: BENCH_EXCHANGE,
        broker: BENCH_BROKER,
        create: (sink) => (this.#adapter = new BenchAdapter(sink, symbols)),
      },
    ]);
  }

  #emit(count: number): void {
    const adapter = this.#adapter;
    if (!adapter || adapter.subscribedCount !== this.#symbols.length) {
      throw new Error('BenchFeed: the gateway has not subscribed every bench symbol upstream');
    }
    const sequence = this.#sequence;
    for (let i = 0; i < count; i++) {
      const template = sequence[this.#next] as Tick;
      this.#next = (this.#next + 1) % sequence.length;
      adapter.push({ ...template, timestamp: epochNow() });
    }
  }
}

/** An UpstreamAdapter over a fixed symbol list; ticks come from {@link BenchFeed}, not from a timer. */
class BenchAdapter implements UpstreamAdapter {
  readonly name = BENCH_BROKER;
  readonly exchange = BENCH_EXCHANGE;
  readonly maxDepth = 20;
  readonly #sink: TickSink;
  readonly #symbols: ReadonlySet<string>;
  readonly #subscribed = new Set<string>();
  #closed = false;
  #ticks = 0;

  constructor(sink: TickSink, symbols: readonly string[]) {
    this.#sink = sink;
    this.#symbols = new Set(symbols);
  }

  get subscribedCount(): number {
    return this.#subscribed.size;
  }

  push(tick: Tick): void {
    if (this.#closed) return;
    this.#ticks++;
    this.#sink(tick);
  }

  listSymbols(): Promise<readonly string[]> {
    return Promise.resolve([...this.#symbols]);
  }

  hasSymbol(symbol: string): Promise<boolean> {
    return Promise.resolve(this.#symbols.has(symbol));
  }

  subscribe(symbol: string, _level: DataLevel): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('closed'));
    if (!this.#symbols.has(symbol)) return Promise.reject(new Error(`unknown symbol ${symbol}`));
    this.#subscribed.add(symbol);
    return Promise.resolve();
  }

  unsubscribe(symbol: string): Promise<void> {
    this.#subscribed.delete(symbol);
    return Promise.resolve();
  }

  subscribedSymbols(): readonly string[] {
    return [...this.#subscribed];
  }

  status(): AdapterStatus {
    return this.#closed ? 'closed' : 'connected';
  }

  stats(): UpstreamAdapterStats {
    return {
      name: this.name,
      exchange: this.exchange,
      status: this.status(),
      subscriptions: this.#subscribed.size,
      ticks: this.#ticks,
      errors: 0,
      lastError: null,
    };
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#subscribed.clear();
    return Promise.resolve();
  }
}
