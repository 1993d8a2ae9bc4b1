import { Gauge, Histogram, Counter } from 'prom-client';
import { CloseOnce } from '../internal/close-once.js';
import { OptionReader } from '../internal/options.js';
import { GcObserver } from '../memory/gc-observer.js';
import { MEMORY_LEVELS } from '../memory/memory-level.js';
import type { MemoryMonitor } from '../memory/memory-monitor.js';
import { readMemory, type MemoryReading } from '../memory/read-memory.js';
import type { StructureRegistry } from '../structure-registry.js';
import { cumulativeCounter } from './cumulative-counter.js';
import type { LifecycleMetrics, LifecycleMetricsOptions } from './lifecycle-metrics-options.js';
import type { LeakTracker } from '../leak-tracker.js';

export type { LifecycleMetrics, LifecycleMetricsOptions };

const PAUSE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5];

/**
 * Registers the toolkit's metrics on a prom-client registry: memory, GC pauses by kind (every
 * entry of every observer batch), the monitor's level and cleanups, caches, periodic jobs and
 * structures. Values kept by the objects themselves are read at scrape time. Returns the
 * teardown, which removes every metric, listener and observer it added.
 */
export function registerLifecycleMetrics(options: LifecycleMetricsOptions): LifecycleMetrics {
  const read = new OptionReader('registerLifecycleMetrics', options);
  const registry = read.object<LifecycleMetricsOptions['registry']>('registry', [
    'registerMetric',
    'removeSingleMetric',
  ]);
  const prefix = read.string('prefix', 'steadystate_');
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix))
    read.fail('prefix', 'a valid Prometheus metric name prefix');
  const monitor = read.optionalObject<MemoryMonitor>('monitor', ['stats', 'onCleanup']);
  const sharedObserver = read.optionalObject<GcObserver>('gcObserver', ['onGc']);
  const caches = read.optionalFunction<NonNullable<LifecycleMetricsOptions['caches']>>('caches');
  const jobs = read.optionalFunction<NonNullable<LifecycleMetricsOptions['jobs']>>('jobs');
  const structures = read.optionalObject<StructureRegistry>('structures', ['snapshot']);
  const leakTracker = read.optionalObject<LeakTracker>('leakTracker', ['stats']);
  const readMem = read.function<() => MemoryReading>('read', () => readMemory());

  const name = (suffix: string) => `${prefix}${suffix}`;
  const teardown: (() => unknown)[] = [];

  new Gauge({
    name: name('memory_bytes'),
    help: 'Process memory by type (rss, heap_used, heap_total, external, array_buffers)',
    labelNames: ['type'],
    registers: [registry],
    collect() {
      const m = readMem();
      this.set({ type: 'rss' }, m.rss);
      this.set({ type: 'heap_used' }, m.heapUsed);
      this.set({ type: 'heap_total' }, m.heapTotal);
      this.set({ type: 'external' }, m.external);
      this.set({ type: 'array_buffers' }, m.arrayBuffers);
    },
  });
  new Gauge({
    name: name('memory_limit_bytes'),
    help: "Memory limits: V8's heap limit and the container limit (absent when unconstrained)",
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const m = readMem();
      this.reset();
      this.set({ kind: 'heap' }, m.heapLimit);
      if (m.containerLimit !== null) this.set({ kind: 'container' }, m.containerLimit);
    },
  });

  const observer = sharedObserver ?? new GcObserver();
  const pauses = new Histogram({
    name: name('gc_pause_seconds'),
    help: 'Garbage collection pauses by kind, every observed collection',
    labelNames: ['kind'],
    buckets: PAUSE_BUCKETS,
    registers: [registry],
  });
  teardown.push(observer.onGc((event) => pauses.observe({ kind: event.kind }, event.pauseMs / 1000)));
  if (!sharedObserver) teardown.push(() => observer.close());

  if (monitor) registerMonitorMetrics(monitor, registry, name, teardown);
  if (caches) registerCacheMetrics(caches, registry, name);
  if (leakTracker) registerLeakMetrics(leakTracker, registry, name);
  if (jobs) registerJobMetrics(jobs, registry, name);
  if (structures) registerStructureMetrics(structures, registry, name);

  const names = registry
    .getMetricsAsArray()
    .map((m) => m.name)
    .filter((n) => n.startsWith(prefix));
  const closing = new CloseOnce();
  const close = () =>
    closing.run(async () => {
      for (const step of teardown) await step();
      for (const n of names) registry.removeSingleMetric(n);
    });
  return { names, close, [Symbol.asyncDispose]: close };
}

type Namer = (suffix: string) => string;
type Registry = LifecycleMetricsOptions['registry'];

function registerMonitorMetrics(
  monitor: MemoryMonitor,
  registry: Registry,
  name: Namer,
  teardown: (() => unknown)[],
) {
  new Gauge({
    name: name('memory_level'),
    help: `Memory monitor level: ${MEMORY_LEVELS.map((l, i) => `${i}=${l}`).join(', ')}`,
    registers: [registry],
    collect() {
      this.set(MEMORY_LEVELS.indexOf(monitor.level));
    },
  });
  new Gauge({
    name: name('memory_shedding'),
    help: '1 while the monitor sheds load (from CRITICAL until back under the cleanup threshold)',
    registers: [registry],
    collect() {
      this.set(monitor.shedding ? 1 : 0);
    },
  });
  new Gauge({
    name: name('memory_threshold_bytes'),
    help: 'Memory monitor thresholds by level',
    labelNames: ['level'],
    registers: [registry],
    collect() {
      const t = monitor.stats().thresholds;
      if (!t) return;
      this.set({ level: 'WARNING' }, t.warning);
      this.set({ level: 'HIGH' }, t.cleanup);
      this.set({ level: 'CRITICAL' }, t.critical);
    },
  });
  const runs = new Counter({
    name: name('memory_cleanup_runs_total'),
    help: 'Memory cleanups run, by trigger (level or manual)',
    labelNames: ['trigger'],
    registers: [registry],
  });
  const freed = new Counter({
    name: name('memory_cleanup_freed_items_total'),
    help: 'Items freed by memory cleanups, by callback',
    labelNames: ['callback'],
    registers: [registry],
  });
  const errors = new Counter({
    name: name('memory_cleanup_errors_total'),
    help: 'Cleanup callbacks that threw or timed out, by callback',
    labelNames: ['callback'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: name('memory_cleanup_duration_seconds'),
    help: 'Duration of whole memory cleanups',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    registers: [registry],
  });
  const forcedGc = new Histogram({
    name: name('gc_forced_pause_seconds'),
    help: 'Pauses of collections forced at the end of a memory cleanup',
    buckets: PAUSE_BUCKETS,
    registers: [registry],
  });
  teardown.push(
    monitor.onCleanup((report) => {
      runs.inc({ trigger: report.trigger });
      duration.observe(report.durationMs / 1000);
      if (report.gc) forcedGc.observe(report.gc.pauseMs / 1000);
      for (const r of report.results) {
        if (r.freed > 0) freed.inc({ callback: r.name }, r.freed);
        if (!r.ok) errors.inc({ callback: r.name });
      }
    }),
  );
}

function registerCacheMetrics(
  caches: NonNullable<LifecycleMetricsOptions['caches']>,
  registry: Registry,
  name: Namer,
) {
  const each = function* (field: 'hits' | 'misses' | 'evictions' | 'expirations' | 'disposeErrors') {
    for (const cache of caches()) {
      const s = cache.stats();
      yield [{ cache: s.name }, s[field]] as [{ cache: string }, number];
    }
  };
  cumulativeCounter(registry, name('cache_hits_total'), 'Cache hits', ['cache'], () => each('hits'));
  cumulativeCounter(registry, name('cache_misses_total'), 'Cache misses', ['cache'], () => each('misses'));
  cumulativeCounter(
    registry,
    name('cache_evictions_total'),
    'Entries evicted to make room or trimmed',
    ['cache'],
    () => each('evictions'),
  );
  cumulativeCounter(registry, name('cache_expirations_total'), 'Entries found expired', ['cache'], () =>
    each('expirations'),
  );
  cumulativeCounter(
    registry,
    name('cache_dispose_errors_total'),
    'Dispose hooks that failed',
    ['cache'],
    () => each('disposeErrors'),
  );
}

function registerJobMetrics(
  jobs: NonNullable<LifecycleMetricsOptions['jobs']>,
  registry: Registry,
  name: Namer,
) {
  const each = function* (field: 'runs' | 'failures' | 'skipped') {
    for (const job of jobs()) {
      const s = job.stats();
      yield [{ job: s.name }, s[field]] as [{ job: string }, number];
    }
  };
  cumulativeCounter(registry, name('job_runs_total'), 'Periodic job runs', ['job'], () => each('runs'));
  cumulativeCounter(registry, name('job_failures_total'), 'Periodic job runs that failed', ['job'], () =>
    each('failures'),
  );
  cumulativeCounter(
    registry,
    name('job_skipped_total'),
    'Ticks skipped because the previous run was still going',
    ['job'],
    () => each('skipped'),
  );
  new Gauge({
    name: name('job_last_duration_seconds'),
    help: 'Duration of the last run of each periodic job',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      this.reset();
      for (const job of jobs()) {
        const s = job.stats();
        if (s.lastDurationMs !== null) this.set({ job: s.name }, s.lastDurationMs / 1000);
      }
    },
  });
  new Gauge({
    name: name('job_consecutive_skipped'),
    help: 'Ticks skipped in a row; above 2 the job cannot keep up',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      this.reset();
      for (const job of jobs()) {
        const s = job.stats();
        this.set({ job: s.name }, s.consecutiveSkipped);
      }
    },
  });
}

function registerLeakMetrics(tracker: LeakTracker, registry: Registry, name: Namer) {
  new Gauge({
    name: name('leak_tracked_resources'),
    help: 'Resources the leak tracker watches now (neither closed nor collected)',
    registers: [registry],
    collect() {
      this.set(tracker.stats().tracking);
    },
  });
  cumulativeCounter(
    registry,
    name('leaks_total'),
    'Resources collected without close(): each is logged with where it was created',
    [],
    () => [[{}, tracker.stats().leaked]],
  );
}

function registerStructureMetrics(structures: StructureRegistry, registry: Registry, name: Namer) {
  new Gauge({
    name: name('structure_size'),
    help: 'Entries held by each registered long-lived structure',
    labelNames: ['structure'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of structures.snapshot()) this.set({ structure: s.name }, s.size);
    },
  });
  new Gauge({
    name: name('structure_capacity'),
    help: 'Capacity of each bounded registered structure',
    labelNames: ['structure'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of structures.snapshot())
        if (s.capacity !== null) this.set({ structure: s.name }, s.capacity);
    },
  });
}
