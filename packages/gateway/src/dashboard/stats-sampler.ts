import {
  CloseOnce,
  Listeners,
  PeriodicJob,
  RingBuffer,
  readMemory,
  schedulingOf,
  type Clock,
  type GcObserver,
  type Logger,
  type MemoryMonitor,
  type SchedulingOptions,
  type StructureRegistry,
} from '@steadystate/lifecycle';

/** One point of the live charts. Bytes for memory, milliseconds for GC. */
export interface StatsSample {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** GC pause time since the previous sample. */
  gcPauseMs: number;
  gcCount: number;
  clients: number;
  adapters: number;
  subscriptions: number;
  level: string;
  cleanupRuns: number;
}

export interface StatsSamplerOptions extends SchedulingOptions {
  monitor: MemoryMonitor;
  gc: GcObserver;
  counts: () => { clients: number; adapters: number; subscriptions: number };
  /** @default 1000 */
  intervalMs?: number;
  /** Samples kept for a dashboard that connects later. @default 600 (10 minutes at 1 Hz) */
  historySize?: number;
  structures: StructureRegistry;
  logger: Logger;
  /** Sample times. @default Date.now */
  now?: Clock;
}

/**
 * Samples memory, GC and the gateway's counts every second for the live dashboard, keeping the
 * last `historySize` samples (a ring buffer) and telling subscribers of each new one. One sampler
 * serves any number of dashboards.
 */
export class StatsSampler {
  readonly history: RingBuffer<StatsSample>;
  readonly #o: StatsSamplerOptions;
  readonly #job: PeriodicJob;
  readonly #listeners: Listeners<StatsSample>;
  readonly #closing = new CloseOnce();
  #gcTotalMs: number;
  #gcCount: number;

  constructor(options: StatsSamplerOptions) {
    this.#o = options;
    this.history = new RingBuffer<StatsSample>({
      capacity: options.historySize ?? 600,
      name: 'dashboard-samples',
      structures: options.structures,
    });
    this.#listeners = new Listeners((error) =>
      options.logger.warn({ err: error }, 'dashboard listener failed'),
    );
    const gc = options.gc.stats();
    this.#gcTotalMs = gc.totalPauseMs;
    this.#gcCount = gc.count;
    this.#job = new PeriodicJob({
      name: 'dashboard-sampler',
      intervalMs: options.intervalMs ?? 1000,
      runOnStart: true,
      run: () => this.#sample(),
      logger: options.logger,
      ...schedulingOf(options),
    });
  }

  /** Starts sampling (the first sample at once); only needed with `autostart: false`. */
  start(): void {
    this.#job.start();
  }

  get job(): PeriodicJob {
    return this.#job;
  }

  /** Calls `listener` with every new sample; returns the unsubscribe function. */
  onSample(listener: (sample: StatsSample) => void): () => void {
    return this.#listeners.add(listener);
  }

  close(): Promise<void> {
    return this.#closing.run(async () => {
      await this.#job.close();
      this.#listeners.clear();
      await this.history.close();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #sample(): void {
    const memory = readMemory(this.#o.now ? { now: this.#o.now } : undefined);
    const gc = this.#o.gc.stats();
    const counts = this.#o.counts();
    const monitor = this.#o.monitor.stats();
    const sample: StatsSample = {
      t: memory.at,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      gcPauseMs: gc.totalPauseMs - this.#gcTotalMs,
      gcCount: gc.count - this.#gcCount,
      ...counts,
      level: monitor.status,
      cleanupRuns: monitor.cleanup.runs,
    };
    this.#gcTotalMs = gc.totalPauseMs;
    this.#gcCount = gc.count;
    this.history.push(sample);
    this.#listeners.emit(sample);
  }
}
