import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanupEvents } from '../src/cleanup-events.js';
import { readMetrics, readStats, type StatsReading } from '../src/gateway-probe.js';
import { sumMetrics } from '../src/prometheus-text.js';

const METRICS = `# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.
# TYPE nodejs_heap_size_used_bytes gauge
nodejs_heap_size_used_bytes 27008288

nodejs_heap_size_total_bytes 65691648
nodejs_external_memory_bytes 4182354
nodejs_gc_duration_seconds_sum{kind="minor"} 0.5
steadystate_gc_pause_seconds_bucket{le="0.001",kind="minor"} 0
steadystate_gc_pause_seconds_sum{kind="minor"} 0.00923583999928087
steadystate_gc_pause_seconds_count{kind="minor"} 1
steadystate_gc_pause_seconds_sum{kind="major"} 0.03096527099981904
steadystate_gc_pause_seconds_count{kind="major"} 2
steadystate_ws_clients 50
`;

function stats(data: Record<string, unknown>): string {
  return JSON.stringify({ type: 'stats', data });
}

describe('/metrics', () => {
  it('sums a metric over its label sets and skips comments, buckets and other names', () => {
    const sums = sumMetrics(
      METRICS,
      new Set(['steadystate_gc_pause_seconds_sum', 'nodejs_heap_size_used_bytes']),
    );
    assert.equal(sums.size, 2);
    assert.ok(
      Math.abs(
        (sums.get('steadystate_gc_pause_seconds_sum') ?? 0) - (0.00923583999928087 + 0.03096527099981904),
      ) < 1e-15,
    );
    assert.equal(sums.get('nodejs_heap_size_used_bytes'), 27008288);
  });

  it('reads heap, external and GC totals, preferring the toolkit GC histogram', () => {
    const reading = readMetrics(METRICS);
    assert.equal(reading.heapUsedBytes, 27008288);
    assert.equal(reading.heapTotalBytes, 65691648);
    assert.equal(reading.externalBytes, 4182354);
    assert.equal(reading.gcCount, 3);
    assert.ok(Math.abs((reading.gcPauseSeconds ?? 0) - 0.040201111) < 1e-6);
  });

  it("falls back to prom-client's GC histogram and leaves absent metrics null", () => {
    const reading = readMetrics('nodejs_gc_duration_seconds_sum{kind="major"} 0.25\n');
    assert.equal(reading.gcPauseSeconds, 0.25);
    assert.equal(reading.heapUsedBytes, null);
  });
});

describe('/stats', () => {
  it('reads the counters the runner samples, and structure sizes by name', () => {
    const reading = readStats(
      stats({
        clients: { count: 48 },
        broker_adapters: { count: 1, closed: 3 },
        subscriptions: { symbols: 120, orphaned: 2 },
        ring_buffer: { count: 5 },
        memory: { status: 'OK' },
        cleanup: { runs: 4, last: { at: 1700000000000 } },
        jobs: { 'orphan-cleanup': { runs: 17 } },
        tasks: { sweeps: 6 },
        connections: { slow_closed: 2 },
        structures: [
          { name: 'clients', size: 48, capacity: 5000 },
          { name: 'topics', size: 120, capacity: null },
        ],
      }),
    );
    assert.ok(reading);
    assert.equal(reading.clients, 48);
    assert.equal(reading.adaptersClosed, 3);
    assert.equal(reading.symbols, 120);
    assert.equal(reading.orphaned, 2);
    assert.equal(reading.memoryStatus, 'OK');
    assert.equal(reading.cleanupRuns, 4);
    assert.equal(reading.cleanupLastAt, 1700000000000);
    assert.equal(reading.orphanCleanupRuns, 17);
    assert.equal(reading.taskSweeps, 6);
    assert.equal(reading.slowClosed, 2);
    assert.deepEqual(
      [...reading.structures],
      [
        ['clients', 48],
        ['topics', 120],
      ],
    );
  });

  it('gives null for fields a target does not report, and for a body that is not stats', () => {
    const reading = readStats(stats({ clients: { count: 'many' } }));
    assert.equal(reading?.clients, null);
    assert.equal(reading?.cleanupLastAt, null);
    assert.equal(reading?.structures.size, 0);
    assert.equal(readStats('<html>'), null);
    assert.equal(readStats('{"type":"stats"}'), null);
  });
});

describe('cleanup events', () => {
  const base = readStats(
    stats({
      cleanup: { runs: 1, last: { at: 100 } },
      jobs: { 'orphan-cleanup': { runs: 10 } },
      broker_adapters: { closed: 0 },
      tasks: { sweeps: 2 },
    }),
  ) as StatsReading;

  it('marks every counter that rose since the previous reading, with how much', () => {
    const next = { ...base, orphanCleanupRuns: 12, adaptersClosed: 1, cleanupRuns: 2, cleanupLastAt: 200 };
    assert.deepEqual(cleanupEvents(5, base, next), [
      { t: 5, kind: 'memory-cleanup', count: 1 },
      { t: 5, kind: 'orphan-cleanup', count: 2 },
      { t: 5, kind: 'adapter-teardown', count: 1 },
    ]);
  });

  it('counts a memory cleanup seen only as a new cleanup.last.at', () => {
    assert.deepEqual(cleanupEvents(7, base, { ...base, cleanupLastAt: 300 }), [
      { t: 7, kind: 'memory-cleanup', count: 1 },
    ]);
  });

  it('reports nothing for the first reading or unchanged counters', () => {
    assert.deepEqual(cleanupEvents(0, null, base), []);
    assert.deepEqual(cleanupEvents(1, base, base), []);
  });
});
