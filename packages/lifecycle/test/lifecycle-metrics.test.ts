import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { BoundedCache } from '../src/bounded-cache.js';
import { InvalidOptionError } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { GcObserver } from '../src/memory/gc-observer.js';
import { MemoryMonitor } from '../src/memory/memory-monitor.js';
import { registerLifecycleMetrics } from '../src/metrics/lifecycle-metrics.js';
import { PeriodicJob } from '../src/periodic-job.js';
import { StructureRegistry } from '../src/structure-registry.js';
import { collectGarbage } from '../src/testing/settle-heap.js';
import { settle, waitFor } from '../src/testing/wait.js';
import { LeakTracker } from '../src/leak-tracker.js';

const MB = 1024 * 1024;

function sample(text: string, metric: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${metric} `));
  return line === undefined ? undefined : Number(line.slice(metric.length + 1));
}

/** Tracks an object and drops it without close(): a leak once it is collected. */
function leakOne(tracker: LeakTracker): void {
  tracker.track({ socket: 'never closed' }, 'a leaked resource');
}

describe('registerLifecycleMetrics', () => {
  it('counts the resources the leak tracker watches and the leaks it found', async () => {
    const registry = new Registry();
    const tracker = new LeakTracker({ logger: silentLogger });
    const metrics = registerLifecycleMetrics({ registry, leakTracker: tracker });
    const kept = { socket: 'open' };
    tracker.track(kept, 'an open resource');
    leakOne(tracker);
    await waitFor(async () => {
      await collectGarbage();
      return tracker.stats().leaked === 1;
    }, 'the dropped resource to be collected and reported');
    const text = await registry.metrics();
    assert.equal(sample(text, 'steadystate_leaks_total'), 1);
    assert.equal(sample(text, 'steadystate_leak_tracked_resources'), 1);
    tracker.markClosed(kept);
    await metrics.close();
    await tracker.close();
  });

  it('rejects bad options naming them', () => {
    for (const [option, options] of [
      ['registry', {}],
      ['registry', { registry: {} }],
      ['prefix', { registry: new Registry(), prefix: '1bad-' }],
      ['monitor', { registry: new Registry(), monitor: {} }],
      ['caches', { registry: new Registry(), caches: [] }],
    ] as const) {
      assert.throws(
        () => registerLifecycleMetrics(options as never),
        (e: unknown) => e instanceof InvalidOptionError && e.option === option,
      );
    }
  });

  it('exports memory, monitor, cache, job and structure metrics', async () => {
    const registry = new Registry();
    const structures = new StructureRegistry();
    let rss = 100 * MB;
    const monitor = new MemoryMonitor({
      warningBytes: 500 * MB,
      cleanupBytes: 700 * MB,
      criticalBytes: 900 * MB,
      read: () => ({
        at: Date.now(),
        rss,
        heapTotal: 2 * MB,
        heapUsed: MB,
        external: 0,
        arrayBuffers: 0,
        heapLimit: 4096 * MB,
        containerLimit: null,
        containerLimitSource: null,
      }),
      runGc: () => ({ pauseMs: 3, freedBytes: 10 }),
      logger: silentLogger,
    });
    monitor.registerCleanup({ name: 'trim', run: () => 42 });
    monitor.registerCleanup({
      name: 'broken',
      run: () => {
        throw new Error('x');
      },
    });
    const cache = new BoundedCache<string, number>({
      capacity: 10,
      name: 'quotes',
      structures,
      logger: silentLogger,
    });
    cache.set('a', 1);
    cache.get('a');
    cache.get('b');
    const job = new PeriodicJob({ name: 'sweep', intervalMs: 60_000, run: () => {}, logger: silentLogger });
    await job.runNow();

    const metrics = registerLifecycleMetrics({
      registry,
      monitor,
      caches: () => [cache],
      jobs: () => [job],
      structures,
    });
    rss = 950 * MB;
    await monitor.checkNow();
    await monitor.forceCleanup('test');

    const text = await registry.metrics();
    assert.ok((sample(text, 'steadystate_memory_bytes{type="rss"}') ?? 0) > 0);
    assert.equal(sample(text, 'steadystate_memory_level'), 3);
    assert.equal(sample(text, 'steadystate_memory_shedding'), 1);
    assert.equal(sample(text, 'steadystate_memory_threshold_bytes{level="CRITICAL"}'), 900 * MB);
    assert.equal(sample(text, 'steadystate_memory_cleanup_runs_total{trigger="level"}'), 1);
    assert.equal(sample(text, 'steadystate_memory_cleanup_runs_total{trigger="manual"}'), 1);
    assert.equal(sample(text, 'steadystate_memory_cleanup_freed_items_total{callback="trim"}'), 84);
    assert.equal(sample(text, 'steadystate_memory_cleanup_errors_total{callback="broken"}'), 2);
    assert.equal(sample(text, 'steadystate_gc_forced_pause_seconds_count'), 2);
    assert.equal(sample(text, 'steadystate_cache_hits_total{cache="quotes"}'), 1);
    assert.equal(sample(text, 'steadystate_cache_misses_total{cache="quotes"}'), 1);
    assert.equal(sample(text, 'steadystate_job_runs_total{job="sweep"}'), 1);
    assert.equal(sample(text, 'steadystate_structure_size{structure="quotes"}'), 1);
    assert.equal(sample(text, 'steadystate_structure_capacity{structure="quotes"}'), 10);

    await metrics.close();
    await metrics.close();
    assert.deepEqual(registry.getMetricsAsArray(), []);
    await Promise.all([monitor.close(), cache.close(), job.close()]);
  });

  it('counts every GC entry in the pause histogram and stops when closed', async () => {
    const registry = new Registry();
    const observer = new GcObserver({ logger: silentLogger });
    const metrics = registerLifecycleMetrics({ registry, gcObserver: observer });
    const before = observer.stats().count;
    for (let i = 0; i < 5; i++) global.gc?.();
    await settle();
    const text = await registry.metrics();
    const counted = text
      .split('\n')
      .filter((l) => l.startsWith('steadystate_gc_pause_seconds_count'))
      .reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
    assert.equal(counted, observer.stats().count - before);
    assert.ok(counted >= 5, `counted ${counted}`);
    await metrics.close();
    assert.equal(observer.stats().observing, true, 'a shared observer is not closed by the teardown');
    await observer.close();
  });
});
