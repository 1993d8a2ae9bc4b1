import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { CLEANUP_KINDS, cleanupEvents, type CleanupEvent } from './cleanup-events.js';
import type { GatewayProbe, StatsReading } from './gateway-probe.js';
import { readProcStatus } from './proc-status.js';
import { BoundedLog, MB, type Recording, type Sample, type StructureTrack } from './sample.js';

export interface SamplerOptions {
  /** The process to sample through /proc/<pid>/status. */
  pid: number;
  /** Reads /metrics and /stats; null for a target that has neither. */
  probe: GatewayProbe | null;
  /** Open clients of the load generator. */
  loadClients: () => number;
  /** performance.now() at the start of the run: samples are timed from it. */
  startedAt: number;
  /** Sizes the in-memory sample log (one sample a second plus a margin for the shutdown). */
  durationSeconds: number;
  /** Every sample is appended to this file as one JSON line as it is taken. */
  ndjsonPath: string;
  /** Called with each sample (the progress line). */
  onSample?: (sample: Sample) => void;
  /** Called once when /proc no longer has the process. */
  onTargetGone?: () => void;
  /** @default 1000 */
  intervalMs?: number;
}

/** Samples kept beyond the planned duration: the shutdown of the target and a late timer. */
const MARGIN_SAMPLES = 120;
/** Structure names tracked at most: the runner's memory must not follow the target's. */
const MAX_STRUCTURES = 200;

/**
 * Takes a sample every second, on a fixed grid from the start of the run (a slow sample skips
 * grid points instead of drifting): /proc/<pid>/status for any process, plus /metrics and /stats
 * through the probe. Samples go to a bounded in-memory log sized for the run and, as they
 * arrive, to samples.ndjson. One sample is in flight at a time; `close()` waits for it.
 */
export class Sampler {
  readonly recording: Recording;
  readonly #o: SamplerOptions & { intervalMs: number };
  readonly #samples: BoundedLog<Sample>;
  readonly #events: BoundedLog<CleanupEvent>;
  readonly #structures = new Map<string, StructureTrack>();
  readonly #out: WriteStream;
  #ndjsonError: Error | undefined;
  #failedSamples = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #closed = false;
  #targetGone = false;
  #previousStats: StatsReading | null = null;
  #previousGc: { t: number; seconds: number } | undefined;

  constructor(options: SamplerOptions) {
    this.#o = { intervalMs: 1000, ...options };
    const capacity = Math.ceil((options.durationSeconds * 1000) / this.#o.intervalMs) + MARGIN_SAMPLES;
    this.#samples = new BoundedLog<Sample>(capacity);
    // At most one event per kind per sample.
    this.#events = new BoundedLog<CleanupEvent>(capacity * CLEANUP_KINDS.length);
    this.recording = { samples: this.#samples, events: this.#events, structures: this.#structures };
    this.#out = createWriteStream(options.ndjsonPath, { flags: 'w' });
    this.#out.on('error', (error) => (this.#ndjsonError ??= error));
  }

  /** The error that stopped samples.ndjson, if one did (sampling goes on without the file). */
  get ndjsonError(): Error | undefined {
    return this.#ndjsonError;
  }

  /** Samples that failed with an unexpected error; the sampling goes on. */
  get failedSamples(): number {
    return this.#failedSamples;
  }

  /** The latest /stats reading, if the target answered one. */
  get lastStats(): StatsReading | null {
    return this.#previousStats;
  }

  /** Takes the first sample now, then one on every grid point. */
  start(): void {
    if (this.#closed || this.#inFlight || this.#timer) return;
    this.#run();
  }

  /** Stops sampling, waits for a sample in flight, and closes samples.ndjson. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
    if (!this.#out.writableEnded) this.#out.end();
    await finished(this.#out).catch(() => {});
  }

  #run(): void {
    this.#timer = undefined;
    this.#inFlight = this.#take()
      .catch(() => {
        this.#failedSamples++;
      })
      .finally(() => {
        this.#inFlight = undefined;
        if (!this.#closed) this.#schedule();
      });
  }

  #schedule(): void {
    const interval = this.#o.intervalMs;
    const elapsed = performance.now() - this.#o.startedAt;
    const delay = (Math.floor(elapsed / interval) + 1) * interval - elapsed;
    this.#timer = setTimeout(() => this.#run(), delay);
    this.#timer.unref();
  }

  async #take(): Promise<void> {
    const t = (performance.now() - this.#o.startedAt) / 1000;
    const at = Date.now();
    const [proc, reading] = await Promise.all([readProcStatus(this.#o.pid), this.#o.probe?.read() ?? null]);
    if (proc === null && !this.#targetGone) {
      this.#targetGone = true;
      this.#o.onTargetGone?.();
    }
    const metrics = reading?.metrics ?? null;
    const stats = reading?.stats ?? null;
    const runner = process.memoryUsage();
    const sample: Sample = {
      t,
      at,
      rssMb: proc && proc.rssBytes / MB,
      hwmMb: proc && proc.hwmBytes / MB,
      vmSizeMb: proc && proc.vmSizeBytes / MB,
      threads: proc && proc.threads,
      ctxtSwitches: proc && proc.voluntaryCtxtSwitches + proc.nonvoluntaryCtxtSwitches,
      heapUsedMb: mb(metrics?.heapUsedBytes),
      heapTotalMb: mb(metrics?.heapTotalBytes),
      externalMb: mb(metrics?.externalBytes),
      gcPauseMsPerSecond: this.#gcRate(t, metrics?.gcPauseSeconds ?? null),
      targetClients: stats?.clients ?? null,
      loadClients: this.#o.loadClients(),
      adapters: stats?.adapters ?? null,
      symbols: stats?.symbols ?? null,
      memoryStatus: stats?.memoryStatus ?? null,
      runnerRssMb: runner.rss / MB,
      runnerHeapUsedMb: runner.heapUsed / MB,
    };
    this.#samples.push(sample);
    const events = stats ? cleanupEvents(t, this.#previousStats, stats) : [];
    for (const event of events) this.#events.push(event);
    if (stats) {
      this.#previousStats = stats;
      this.#track(stats.structures);
    }
    if (this.#ndjsonError === undefined) {
      const structures = stats ? Object.fromEntries(stats.structures) : null;
      this.#out.write(`${JSON.stringify({ ...sample, events, structures })}\n`);
    }
    this.#o.onSample?.(sample);
  }

  /** Pause ms per second since the previous reading; null for the first one or a reset counter. */
  #gcRate(t: number, seconds: number | null): number | null {
    if (seconds === null) return null;
    const previous = this.#previousGc;
    this.#previousGc = { t, seconds };
    if (!previous || t <= previous.t || seconds < previous.seconds) return null;
    return ((seconds - previous.seconds) * 1000) / (t - previous.t);
  }

  #track(sizes: ReadonlyMap<string, number>): void {
    for (const [name, size] of sizes) {
      const track = this.#structures.get(name);
      if (track) {
        track.last = size;
        track.peak = Math.max(track.peak, size);
      } else if (this.#structures.size < MAX_STRUCTURES) {
        this.#structures.set(name, { first: size, last: size, peak: size });
      }
    }
  }
}

function mb(bytes: number | null | undefined): number | null {
  return bytes === null || bytes === undefined ? null : bytes / MB;
}
