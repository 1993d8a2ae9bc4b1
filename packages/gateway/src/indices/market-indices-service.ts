import {
  CloseOnce,
  PeriodicJob,
  RingBuffer,
  schedulingOf,
  systemClock,
  type Clock,
  type Logger,
  type SchedulingOptions,
  type StructureRegistry,
} from '@steadystate/lifecycle';
import type { KeyValueStore } from '../store/kv-store.js';
import { computeIndices, type MarketIndices } from './compute-indices.js';
import type { IndexFeed } from './index-feed.js';

export const MARKET_INDICES_KEY = 'market_indices';
export const LATEST_MARKET_DATA_KEY = 'latest_market_data';

/** One point of the index history the reports chart. */
export interface IndexPoint {
  at: number;
  volume_weighted_change_pct: number;
  equal_weighted_change_pct: number;
  advancers: number;
  decliners: number;
}

export interface MarketIndicesOptions extends SchedulingOptions {
  feed: IndexFeed;
  store: KeyValueStore;
  intervalMs: number;
  ttlMs: number;
  snapshotIntervalMs: number;
  /** Points of history kept for the report charts. @default 96 */
  historySize?: number;
  structures: StructureRegistry;
  logger: Logger;
  /** Timestamps of the indices and snapshots. @default Date.now */
  now?: Clock;
}

/**
 * Two scheduled jobs over the index feed: the market indices every MARKET_INDICES_INTERVAL,
 * stored under `market_indices` with a TTL, and the latest constituent quotes every
 * MARKET_DATA_SNAPSHOT_INTERVAL under `latest_market_data` (what the dashboard reads). Neither
 * overlaps itself; a failing run (the store down) is counted and the schedule goes on.
 */
export class MarketIndicesService {
  readonly history: RingBuffer<IndexPoint>;
  readonly indicesJob: PeriodicJob;
  readonly snapshotJob: PeriodicJob;
  readonly #o: MarketIndicesOptions;
  readonly #closing = new CloseOnce();
  readonly #now: Clock;
  #latest: MarketIndices | null = null;

  constructor(options: MarketIndicesOptions) {
    this.#o = options;
    this.#now = options.now ?? systemClock;
    this.history = new RingBuffer<IndexPoint>({
      capacity: options.historySize ?? 96,
      name: 'index-history',
      structures: options.structures,
    });
    this.indicesJob = new PeriodicJob({
      name: 'market-indices',
      intervalMs: options.intervalMs,
      runOnStart: true,
      run: () => this.computeNow(),
      logger: options.logger,
      ...schedulingOf(options),
    });
    this.snapshotJob = new PeriodicJob({
      name: 'latest-market-data',
      intervalMs: options.snapshotIntervalMs,
      runOnStart: true,
      run: () => this.#writeSnapshot(),
      logger: options.logger,
      ...schedulingOf(options),
    });
  }

  /** Starts both schedules (each runs once at once); only needed with `autostart: false`. */
  start(): void {
    this.indicesJob.start();
    this.snapshotJob.start();
  }

  /** The indices of the last successful run (also kept when the store is down). */
  get latest(): MarketIndices | null {
    return this.#latest;
  }

  /** Computes the indices now, records them in the history and stores them. */
  async computeNow(): Promise<MarketIndices | null> {
    const { feed, store, ttlMs } = this.#o;
    const ticks = await feed.snapshot();
    if (ticks.length === 0) return null; // no constituent quoted: nothing honest to report
    const indices = computeIndices(feed.exchange, ticks, this.#now());
    this.#latest = indices;
    this.history.push({
      at: indices.computed_at,
      volume_weighted_change_pct: indices.volume_weighted_change_pct,
      equal_weighted_change_pct: indices.equal_weighted_change_pct,
      advancers: indices.advancers,
      decliners: indices.decliners,
    });
    await store.set(MARKET_INDICES_KEY, JSON.stringify(indices), ttlMs / 1000);
    return indices;
  }

  stats() {
    return {
      constituents: this.#o.feed.symbols.length,
      history: this.history.size,
      latest_at: this.#latest?.computed_at ?? null,
      indices_job: this.indicesJob.stats(),
      snapshot_job: this.snapshotJob.stats(),
    };
  }

  close(): Promise<void> {
    return this.#closing.run(async () => {
      await Promise.all([this.indicesJob.close(), this.snapshotJob.close()]);
      await this.history.close();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #writeSnapshot(): Promise<void> {
    const { feed, store, snapshotIntervalMs } = this.#o;
    const ticks = await feed.snapshot();
    if (ticks.length === 0) return;
    const data = {
      updated_at: this.#now(),
      exchange: feed.exchange,
      quotes: ticks.map((t) => ({
        symbol: t.symbol,
        ltp: t.ltp,
        change_pct: t.quote?.changePercent ?? 0,
        volume: t.quote?.volume ?? 0,
        high: t.quote?.high ?? t.ltp,
        low: t.quote?.low ?? t.ltp,
      })),
    };
    // Kept for three snapshot intervals (at least a minute): a stalled feed shows as missing data.
    const ttlSeconds = Math.max(60, (3 * snapshotIntervalMs) / 1000);
    await store.set(LATEST_MARKET_DATA_KEY, JSON.stringify(data), ttlSeconds);
  }
}
