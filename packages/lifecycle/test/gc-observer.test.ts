import assert from 'node:assert/strict';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { InvalidOptionError, LifecycleErrorCode } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { GcObserver, type GcEvent } from '../src/memory/gc-observer.js';
import { StructureRegistry } from '../src/structure-registry.js';
import { trackTimers } from '../src/testing/timer-tracker.js';
import { captureLogger } from './support/capture-logger.js';
import { settle, waitFor } from '../src/testing/wait.js';

const quiet = { logger: silentLogger };
const { NODE_PERFORMANCE_GC_MAJOR: MAJOR, NODE_PERFORMANCE_GC_MINOR: MINOR } = constants;
const FORCED = constants.NODE_PERFORMANCE_GC_FLAGS_FORCED;

function entry(kind: number, duration: number, flags = 0, startTime = 0) {
  return { startTime, duration, detail: { kind, flags } };
}

function forceGcs(times: number): void {
  for (let i = 0; i < times; i++) globalThis.gc?.();
}

/** A plain observer counting every gc entry, to compare against; `largestBatch` shows batching. */
function rawGcCounter(): { count: number; largestBatch: number; disconnect(): void } {
  const counter = { count: 0, largestBatch: 0, disconnect: () => observer.disconnect() };
  const observer = new PerformanceObserver((list) => {
    const n = list.getEntries().length;
    counter.count += n;
    counter.largestBatch = Math.max(counter.largestBatch, n);
  });
  observer.observe({ entryTypes: ['gc'] });
  return counter;
}

describe('GcObserver options', () => {
  const bad: [string, unknown][] = [
    ['options', 'gc'],
    ['recent', { recent: 0 }],
    ['recent', { recent: 10_001 }],
    ['recent', { recent: 1.5 }],
    ['recent', { recent: '100' }],
    ['longPauseMs', { longPauseMs: -1 }],
    ['longPauseMs', { longPauseMs: Infinity }],
    ['longPauseMs', { longPauseMs: '200' }],
    ['maxListeners', { maxListeners: 0 }],
    ['maxListeners', { maxListeners: 10_001 }],
    ['name', { name: '' }],
    ['structures', { structures: {} }],
    ['logger', { logger: { error: 'x' } }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new GcObserver(options as never),
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          error.option === option &&
          error.code === LifecycleErrorCode.INVALID_OPTION,
      );
    });
  }
});

describe('GcObserver with real collections', () => {
  it('counts every entry of every batch, as many as a plain observer sees', async () => {
    await settle(); // entries of earlier collections reach neither observer
    const observer = new GcObserver(quiet);
    const raw = rawGcCounter();
    try {
      forceGcs(5);
      await waitFor(() => raw.count >= 5, 'five gc entries', 5000);
      await settle();
      const stats = observer.stats();
      assert.ok(raw.largestBatch > 1, 'the collections arrived in one batch of several entries');
      assert.equal(stats.count, raw.count);
      assert.ok(stats.byKind.major.count >= 5, `major: ${stats.byKind.major.count}`);
      assert.ok(stats.forced >= 5, `forced: ${stats.forced}`);
      const perKind = Object.values(stats.byKind).reduce((sum, kind) => sum + kind.count, 0);
      assert.equal(perKind, stats.count);
      assert.ok(stats.totalPauseMs > 0 && stats.maxPauseMs > 0);
    } finally {
      raw.disconnect();
      await observer.close();
    }
  });

  it('isolates a throwing listener: logged, counted, the others still called', async () => {
    const logger = captureLogger();
    const observer = new GcObserver({ logger });
    const seen: GcEvent[] = [];
    observer.onGc(() => {
      throw new Error('listener bug');
    });
    observer.onGc((event) => seen.push(event));
    try {
      forceGcs(3);
      await waitFor(() => seen.filter((e) => e.kind === 'major').length >= 3, 'three major events', 5000);
      const stats = observer.stats();
      assert.equal(stats.listenerErrors, stats.count);
      assert.equal(seen.length, stats.count);
      assert.equal(logger.entries.filter((e) => e.level === 'error').length, stats.listenerErrors);
      assert.ok(
        logger.entries.every((e) => e.context.observer === 'gc-observer' && e.context.err instanceof Error),
      );
    } finally {
      await observer.close();
    }
  });
});

describe('GcObserver records', () => {
  it('maps every kind, unknown kinds to "other", and the forced flag', async () => {
    const observer = new GcObserver(quiet);
    observer.record(entry(MAJOR, 5, FORCED, 100));
    observer.record(entry(MINOR, 1));
    observer.record(entry(constants.NODE_PERFORMANCE_GC_INCREMENTAL, 2));
    observer.record(entry(constants.NODE_PERFORMANCE_GC_WEAKCB, 3));
    observer.record(entry(1024, 4));
    observer.record({ startTime: 0, duration: 6 });
    const stats = observer.stats();
    const counts = Object.fromEntries(Object.entries(stats.byKind).map(([kind, s]) => [kind, s.count]));
    assert.deepEqual(counts, { major: 1, minor: 1, incremental: 1, weakcb: 1, other: 2 });
    assert.equal(stats.forced, 1);
    assert.equal(stats.count, 6);
    assert.equal(stats.totalPauseMs, 21);
    assert.equal(stats.maxPauseMs, 6);
    assert.deepEqual(observer.recent()[0], {
      kind: 'major',
      pauseMs: 5,
      startedAt: performance.timeOrigin + 100,
      forced: true,
      long: false,
    });
    await observer.close();
  });

  it('counts runs of long pauses per kind, so scavenges in between do not reset them', async () => {
    const observer = new GcObserver({ longPauseMs: 200, ...quiet });
    for (let i = 0; i < 5; i++) {
      observer.record(entry(MAJOR, 250 + i));
      observer.record(entry(MINOR, 1));
    }
    let stats = observer.stats();
    assert.equal(stats.consecutiveLongPauses, 5);
    assert.equal(stats.byKind.major.consecutiveLongPauses, 5);
    assert.equal(stats.byKind.minor.consecutiveLongPauses, 0);
    assert.equal(stats.byKind.major.maxPauseMs, 254);
    assert.equal(stats.longPauses, 5);

    observer.record(entry(MAJOR, 199)); // a short major ends the run
    stats = observer.stats();
    assert.equal(stats.consecutiveLongPauses, 0);
    assert.equal(stats.longPauses, 5);
    assert.equal(observer.recent().filter((e) => e.long).length, 5);
    await observer.close();
  });

  it('treats a missing or invalid duration as a zero pause', async () => {
    const observer = new GcObserver(quiet);
    observer.record(entry(MAJOR, Number.NaN));
    observer.record(entry(MAJOR, -3));
    assert.equal(observer.stats().totalPauseMs, 0);
    assert.equal(observer.stats().count, 2);
    await observer.close();
  });
});

describe('GcObserver bounds', () => {
  it('keeps only the latest `recent` pauses over 100,000 collections', async () => {
    const structures = new StructureRegistry();
    const observer = new GcObserver({ recent: 10, structures, name: 'gc-bounds', ...quiet });
    for (let i = 0; i < 100_000; i++) observer.record(entry(MINOR, i));
    const recent = observer.recent();
    assert.deepEqual(
      recent.map((e) => e.pauseMs),
      Array.from({ length: 10 }, (_, i) => 99_990 + i),
    );
    assert.equal(observer.stats().count, 100_000);
    assert.equal(observer.stats().recentSize, 10);
    assert.deepEqual(structures.snapshot(), [{ name: 'gc-bounds', size: 10, capacity: 10, utilization: 1 }]);
    await observer.close();
  });

  it('returns to no listeners after 100,000 subscribe/unsubscribe pairs and caps listeners', async () => {
    const observer = new GcObserver({ maxListeners: 3, ...quiet });
    let calls = 0;
    for (let i = 0; i < 100_000; i++) {
      const unsubscribe = observer.onGc(() => void (calls += i));
      unsubscribe();
      unsubscribe(); // twice is harmless
    }
    assert.equal(observer.stats().listeners, 0);
    observer.record(entry(MINOR, 1));
    assert.equal(calls, 0);

    for (let i = 0; i < 3; i++) observer.onGc(() => {});
    assert.throws(() => observer.onGc(() => {}), { code: LifecycleErrorCode.LIMIT_REACHED });
    await observer.close();
  });
});

describe('GcObserver lifecycle', () => {
  it('close() disconnects, drops listeners and recent pauses, unregisters; twice is fine', async () => {
    await settle();
    const timers = trackTimers();
    const structures = new StructureRegistry();
    const observer = new GcObserver({ structures, name: 'gc-lifecycle', ...quiet });
    let heard = 0;
    observer.onGc(() => void heard++);
    observer.record(entry(MINOR, 1));
    assert.equal(structures.snapshot().length, 1);

    await observer.close();
    await observer.close();
    await settle();
    assert.equal(timers.live, 0);
    timers.stop();
    const closed = observer.stats();
    assert.equal(closed.observing, false);
    assert.equal(closed.listeners, 0);
    assert.equal(closed.recentSize, 0);
    assert.deepEqual(structures.snapshot(), []);

    const raw = rawGcCounter();
    try {
      forceGcs(3);
      await waitFor(() => raw.count >= 3, 'gc entries after close', 5000);
      await settle();
    } finally {
      raw.disconnect();
    }
    observer.record(entry(MAJOR, 1));
    assert.equal(observer.stats().count, closed.count);
    assert.equal(heard, 1);
    assert.throws(() => observer.onGc(() => {}), { code: LifecycleErrorCode.CLOSED });
  });

  it('works with await using', async () => {
    let observer: GcObserver | undefined;
    {
      await using scoped = new GcObserver(quiet);
      observer = scoped;
    }
    assert.equal(observer.stats().observing, false);
  });
});
