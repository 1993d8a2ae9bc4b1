import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, LifecycleErrorCode } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import type { CleanupContext } from '../src/memory/cleanup-callback.js';
import type { MemoryLevel } from '../src/memory/memory-level.js';
import { MemoryMonitor } from '../src/memory/memory-monitor.js';
import type { MemoryMonitorOptions } from '../src/memory/memory-monitor-options.js';
import type { MemoryPressure } from '../src/memory/pressure.js';
import type { MemoryReading } from '../src/memory/read-memory.js';
import { trackTimers } from '../src/testing/timer-tracker.js';
import { captureLogger } from './support/capture-logger.js';
import { holdEventLoop, settle } from '../src/testing/wait.js';
import { assertNoLeak } from '../src/testing/assert-no-leak.js';

const MB = 1024 * 1024;

/** A monitor whose memory and clock the test sets by hand. */
function harness(options: MemoryMonitorOptions = {}) {
  const state = { rss: 100 * MB, now: 1_000_000, pressure: null as MemoryPressure | null, gcRuns: 0 };
  const read = (): MemoryReading => ({
    at: state.now,
    rss: state.rss,
    heapTotal: 50 * MB,
    heapUsed: 40 * MB,
    external: MB,
    arrayBuffers: MB,
    heapLimit: 4096 * MB,
    containerLimit: null,
    containerLimitSource: null,
  });
  const monitor = new MemoryMonitor({
    warningBytes: 500 * MB,
    cleanupBytes: 700 * MB,
    criticalBytes: 900 * MB,
    cooldownMs: 60_000,
    read,
    readPressure: () => state.pressure,
    runGc: () => {
      state.gcRuns++;
      return { pauseMs: 1.5, freedBytes: 1000 };
    },
    now: () => state.now,
    logger: silentLogger,
    ...options,
  });
  const ran: string[] = [];
  const register = (name: string, minLevel: Exclude<MemoryLevel, 'OK'>, priority: number, freed = 1) =>
    monitor.registerCleanup({
      name,
      minLevel,
      priority,
      run: (context: CleanupContext) => {
        ran.push(`${name}@${context.level}`);
        return freed;
      },
    });
  return { monitor, state, ran, register };
}

describe('MemoryMonitor options', () => {
  const bad: [string, MemoryMonitorOptions][] = [
    ['intervalMs', { intervalMs: 0 }],
    ['intervalMs', { intervalMs: Infinity }],
    ['warningBytes', { warningBytes: 100 }],
    ['warningBytes', { warningBytes: 800, cleanupBytes: 700, criticalBytes: 900 }],
    ['cleanupBytes', { warningBytes: 100, cleanupBytes: 950, criticalBytes: 900 }],
    ['warningBytes', { warningBytes: -1, cleanupBytes: 700, criticalBytes: 900 }],
    ['measure', { measure: 'vsz' as never }],
    ['forceGc', { forceGc: 'yes' as never }],
    ['cooldownMs', { cooldownMs: -5 }],
    ['pressureWarningPercent', { pressureWarningPercent: 101 }],
    ['historySize', { historySize: 0 }],
    ['read', { read: 'proc' as never }],
    ['logger', { logger: {} as never }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new MemoryMonitor(options),
        (e: unknown) => e instanceof InvalidOptionError && e instanceof TypeError && e.option === option,
      );
    });
  }

  it('derives thresholds from the tightest limit when none are set', async () => {
    const reading = (containerLimit: number | null): MemoryReading => ({
      at: 0,
      rss: 10 * MB,
      heapTotal: 0,
      heapUsed: 0,
      external: 0,
      arrayBuffers: 0,
      heapLimit: 2048 * MB,
      containerLimit,
      containerLimitSource: containerLimit === null ? null : 'cgroup-v2',
    });
    for (const [limit, expected] of [
      [null, { warning: 1536 * MB, cleanup: 1792 * MB, critical: 2048 * MB, source: 'heap-limit' }],
      [1024 * MB, { warning: 768 * MB, cleanup: 896 * MB, critical: 1024 * MB, source: 'container-limit' }],
      [8192 * MB, { warning: 1536 * MB, cleanup: 1792 * MB, critical: 2048 * MB, source: 'heap-limit' }],
    ] as const) {
      await using monitor = new MemoryMonitor({
        read: () => reading(limit),
        logger: silentLogger,
        pressure: false,
      });
      await monitor.checkNow();
      assert.deepEqual(monitor.stats().thresholds, expected);
    }
  });
});

describe('MemoryMonitor levels and cleanups', () => {
  it('runs the callbacks due at each level in priority order', async () => {
    const { monitor, state, ran, register } = harness({ cooldownMs: 0 });
    register('trim-caches', 'WARNING', 30);
    register('idle-adapters', 'HIGH', 10);
    register('orphans', 'HIGH', 20);
    register('drop-results', 'CRITICAL', 5);
    register('early-warning', 'WARNING', 1);

    await monitor.checkNow();
    assert.deepEqual(ran, []);

    state.rss = 550 * MB;
    assert.equal((await monitor.checkNow()).level, 'WARNING');
    assert.deepEqual(ran.splice(0), ['early-warning@WARNING', 'trim-caches@WARNING']);

    state.rss = 750 * MB;
    assert.equal((await monitor.checkNow()).level, 'HIGH');
    assert.deepEqual(ran.splice(0), [
      'early-warning@HIGH',
      'idle-adapters@HIGH',
      'orphans@HIGH',
      'trim-caches@HIGH',
    ]);

    state.rss = 950 * MB;
    assert.equal((await monitor.checkNow()).level, 'CRITICAL');
    assert.deepEqual(ran.splice(0), [
      'early-warning@CRITICAL',
      'drop-results@CRITICAL',
      'idle-adapters@CRITICAL',
      'orphans@CRITICAL',
      'trim-caches@CRITICAL',
    ]);
    await monitor.close();
  });

  it('isolates a throwing callback: the others run, the error is counted and logged', async () => {
    const logger = captureLogger();
    const { monitor, state, ran, register } = harness({ logger });
    register('first', 'HIGH', 1);
    monitor.registerCleanup({
      name: 'broken',
      priority: 2,
      run: () => {
        throw new Error('cache already closed');
      },
    });
    monitor.registerCleanup({
      name: 'rejecting',
      priority: 3,
      run: () => Promise.reject(new Error('db gone')),
    });
    register('last', 'HIGH', 4, 7);
    state.rss = 750 * MB;
    const { cleanup } = await monitor.checkNow();
    assert.deepEqual(ran, ['first@HIGH', 'last@HIGH']);
    assert.ok(cleanup);
    assert.equal(cleanup.errors, 2);
    assert.equal(cleanup.totalFreed, 8);
    assert.deepEqual(
      cleanup.results.map((r) => [r.name, r.ok, r.error ?? null]),
      [
        ['first', true, null],
        ['broken', false, 'cache already closed'],
        ['rejecting', false, 'db gone'],
        ['last', true, null],
      ],
    );
    const stats = monitor.stats();
    assert.equal(stats.cleanup.errors, 2);
    assert.equal(stats.cleanup.callbacks.find((c) => c.name === 'broken')?.errors, 1);
    assert.equal(logger.entries.filter((e) => e.message === 'memory cleanup callback failed').length, 2);
    await monitor.close();
  });

  it('holds a cooldown between cleanups, except when the level escalates', async () => {
    const { monitor, state, ran, register } = harness();
    register('a', 'HIGH', 1);
    state.rss = 750 * MB;
    await monitor.checkNow();
    state.now += 30_000;
    assert.equal((await monitor.checkNow()).cleanup, null);
    assert.equal(monitor.stats().cleanup.skippedByCooldown, 1);
    state.rss = 950 * MB;
    assert.ok((await monitor.checkNow()).cleanup, 'escalation to CRITICAL is not held back');
    state.now += 10_000;
    assert.equal((await monitor.checkNow()).cleanup, null);
    state.now += 60_000;
    assert.ok((await monitor.checkNow()).cleanup);
    assert.deepEqual(ran, ['a@HIGH', 'a@CRITICAL', 'a@CRITICAL']);
    await monitor.close();
  });

  it('unregister removes a callback; a name cannot be registered twice', async () => {
    const { monitor, state, ran, register } = harness({ cooldownMs: 0 });
    const unregister = register('a', 'HIGH', 1);
    register('b', 'HIGH', 2);
    assert.throws(() => register('b', 'HIGH', 3), { code: LifecycleErrorCode.DUPLICATE_NAME });
    unregister();
    unregister();
    state.rss = 750 * MB;
    await monitor.checkNow();
    assert.deepEqual(ran, ['b@HIGH']);
    assert.deepEqual(
      monitor.stats().cleanup.callbacks.map((c) => c.name),
      ['b'],
    );
    await monitor.close();
  });

  it('a callback that hangs past its time budget is aborted and counted as failed', async () => {
    const { monitor, state, ran, register } = harness({ callbackTimeoutMs: 20 });
    let sawAbort = false;
    monitor.registerCleanup({
      name: 'stuck',
      priority: 1,
      run: ({ signal }) =>
        new Promise<number>(() => {
          signal.addEventListener('abort', () => (sawAbort = true));
        }),
    });
    register('after', 'HIGH', 2);
    state.rss = 750 * MB;
    const release = holdEventLoop();
    const { cleanup } = await monitor.checkNow();
    release();
    assert.equal(sawAbort, true);
    assert.equal(cleanup?.results[0]?.ok, false);
    assert.deepEqual(ran, ['after@HIGH']);
    await monitor.close();
  });

  it('forceCleanup runs every callback whatever the level and cooldown', async () => {
    const { monitor, ran, register } = harness();
    register('warn', 'WARNING', 2);
    register('crit', 'CRITICAL', 1);
    await monitor.checkNow();
    const report = await monitor.forceCleanup('admin request');
    assert.equal(report.trigger, 'manual');
    assert.equal(report.reason, 'admin request');
    assert.deepEqual(ran, ['crit@OK', 'warn@OK']);
    await monitor.forceCleanup();
    assert.equal(monitor.stats().cleanup.runs, 2);
    await monitor.close();
  });
});

describe('MemoryMonitor load shedding, events, GC and pressure', () => {
  it('sheds load from CRITICAL until memory is back under the cleanup threshold', async () => {
    const { monitor, state } = harness();
    const changes: string[] = [];
    monitor.onLevelChange(({ from, to }) => changes.push(`${from}->${to}`));
    for (const [rss, shedding] of [
      [600, false],
      [950, true],
      [800, true],
      [710, true],
      [650, false],
      [100, false],
    ] as const) {
      state.rss = rss * MB;
      await monitor.checkNow();
      assert.equal(monitor.shedding, shedding, `at ${rss} MB`);
    }
    assert.deepEqual(changes, [
      'OK->WARNING',
      'WARNING->CRITICAL',
      'CRITICAL->HIGH',
      'HIGH->WARNING',
      'WARNING->OK',
    ]);
    await monitor.close();
  });

  it('a throwing listener is counted and does not stop the others', async () => {
    const { monitor, state } = harness();
    let called = 0;
    monitor.onLevelChange(() => {
      throw new Error('bad listener');
    });
    const off = monitor.onLevelChange(() => called++);
    state.rss = 600 * MB;
    await monitor.checkNow();
    off();
    state.rss = 100 * MB;
    await monitor.checkNow();
    assert.equal(called, 1);
    assert.equal(monitor.stats().listenerErrors, 2);
    await monitor.close();
  });

  it('forces GC after a cleanup only when it freed many items or memory is HIGH or above', async () => {
    const { monitor, state, register } = harness({ cooldownMs: 0, gcMinFreedItems: 100 });
    register('few', 'WARNING', 1, 5);
    state.rss = 550 * MB;
    assert.equal((await monitor.checkNow()).cleanup?.gc, undefined);
    assert.equal(state.gcRuns, 0);
    state.rss = 750 * MB;
    assert.deepEqual((await monitor.checkNow()).cleanup?.gc, { pauseMs: 1.5, freedBytes: 1000 });
    assert.equal(state.gcRuns, 1);
    register('many', 'WARNING', 2, 500);
    state.rss = 550 * MB;
    assert.ok((await monitor.checkNow()).cleanup?.gc);
    assert.equal(monitor.stats().forcedGc.count, 2);
    await monitor.close();

    const off = harness({ cooldownMs: 0, forceGc: 'off' });
    off.register('many', 'HIGH', 1, 10_000);
    off.state.rss = 950 * MB;
    await off.monitor.checkNow();
    assert.equal(off.state.gcRuns, 0);
    await off.monitor.close();
  });

  it('raises the level on Linux memory pressure, never to CRITICAL', async () => {
    const { monitor, state } = harness();
    const line = (avg10: number) => ({ avg10, avg60: 0, avg300: 0, total: 0 });
    state.pressure = { some: line(25), full: line(0) };
    assert.equal((await monitor.checkNow()).level, 'WARNING');
    state.pressure = { some: line(90), full: line(60) };
    assert.equal((await monitor.checkNow()).level, 'HIGH');
    state.pressure = { some: line(1), full: null };
    assert.equal((await monitor.checkNow()).level, 'OK');
    await monitor.close();
  });

  it('keeps bounded histories', async () => {
    const { monitor, state, register } = harness({ cooldownMs: 0, historySize: 100, cleanupHistorySize: 50 });
    register('a', 'HIGH', 1);
    state.rss = 750 * MB;
    for (let i = 0; i < 1000; i++) {
      state.now += 1000;
      await monitor.checkNow();
    }
    const stats = monitor.stats();
    assert.equal(stats.history.length, 100);
    assert.equal(stats.cleanup.history.length, 50);
    assert.equal(stats.cleanup.runs, 1000);
    assert.equal(stats.samples, 1000);
    await monitor.close();
  });
});

describe('MemoryMonitor leak check', () => {
  it('assertNoLeak is green over samples, level changes and cleanups with callbacks coming and going', async () => {
    const { monitor, state } = harness({ cooldownMs: 0 });
    await assertNoLeak(
      async (i) => {
        const unregister = monitor.registerCleanup({
          name: `callback-${i}`,
          minLevel: 'WARNING',
          run: () => i % 7,
        });
        const off = monitor.onLevelChange(() => {});
        state.now += 1000;
        state.rss = (i % 4 === 0 ? 750 : 100) * MB;
        await monitor.checkNow();
        off();
        unregister();
      },
      { iterations: 2_000, samples: 10, label: 'MemoryMonitor check/cleanup' },
    );
    const stats = monitor.stats();
    assert.equal(stats.history.length, 100);
    assert.ok(stats.cleanup.history.length <= 50);
    assert.deepEqual(stats.cleanup.callbacks, []);
    await monitor.close();
  });
});

describe('MemoryMonitor lifecycle', () => {
  it('samples on its interval with real readings', async () => {
    await using monitor = new MemoryMonitor({ intervalMs: 10, logger: silentLogger });
    const release = holdEventLoop();
    const seen = await new Promise<number>((resolve) => {
      const off = monitor.onSample((check) => {
        off();
        resolve(check.reading.rss);
      });
    });
    release();
    assert.ok(seen > 0);
  });

  it('close is idempotent, clears its timer and refuses work afterwards', async () => {
    const timers = trackTimers();
    const { monitor, register } = harness({ intervalMs: 50 });
    register('a', 'HIGH', 1);
    assert.ok(timers.live >= 1);
    await monitor.close();
    await monitor.close();
    await settle();
    assert.equal(timers.live, 0);
    timers.stop();
    await assert.rejects(monitor.checkNow(), { code: LifecycleErrorCode.CLOSED });
    assert.throws(() => register('b', 'HIGH', 1), { code: LifecycleErrorCode.CLOSED });
    assert.deepEqual(monitor.stats().cleanup.callbacks, []);
  });
});
