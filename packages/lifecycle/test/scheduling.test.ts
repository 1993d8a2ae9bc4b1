import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LifecycleErrorCode } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { GcObserver } from '../src/memory/gc-observer.js';
import { MemoryMonitor } from '../src/memory/memory-monitor.js';
import { KeyedMutex } from '../src/keyed-mutex.js';
import { PeriodicJob } from '../src/periodic-job.js';
import { ResourceRegistry } from '../src/resource-registry.js';
import { TaskRegistry } from '../src/task-registry.js';
import { manualClock } from '../src/testing/manual-clock.js';
import { trackTimers } from '../src/testing/timer-tracker.js';
import { settle } from '../src/testing/wait.js';
import { hasCode } from './support/error-code.js';

const quiet = { logger: silentLogger };

describe('autostart: false and start()', () => {
  it('a PeriodicJob schedules nothing until start(), then runs on its timers; start() twice is one schedule', async () => {
    const clock = manualClock();
    let runs = 0;
    const job = new PeriodicJob({
      ...quiet,
      name: 'j',
      intervalMs: 1000,
      run: () => void runs++,
      runOnStart: true,
      autostart: false,
      now: clock.now,
      timers: clock.timers,
    });
    await clock.advanceAsync(5000);
    assert.equal(runs, 0);
    assert.equal(job.started, false);
    assert.equal(clock.pending, 0);
    job.start();
    job.start();
    await settle();
    assert.equal(runs, 1, 'runOnStart runs at start(), not at construction');
    await clock.advanceAsync(3000);
    assert.equal(runs, 4);
    await job.close();
    assert.equal(clock.pending, 0, 'close() cleared the interval');
    assert.throws(() => job.start(), hasCode(LifecycleErrorCode.CLOSED));
  });

  it('a job never started closes cleanly and leaves no timer', async () => {
    const timers = trackTimers();
    const job = new PeriodicJob({ ...quiet, name: 'idle', intervalMs: 10, run: () => {}, autostart: false });
    await job.close();
    await settle();
    assert.equal(timers.live, 0);
    timers.stop();
  });

  it('registries and the monitor schedule their sweeps and samples only once started', async () => {
    const clock = manualClock();
    const scheduling = { now: clock.now, timers: clock.timers, autostart: false, ...quiet };
    const resources = new ResourceRegistry<string, { close(): void }>({
      ...scheduling,
      sweepIntervalMs: 100,
    });
    const locks = new KeyedMutex<string>({ ...scheduling, idleMs: 100 });
    const tasks = new TaskRegistry({ ...scheduling, sweepIntervalMs: 100 });
    let samples = 0;
    const monitor = new MemoryMonitor({
      ...scheduling,
      intervalMs: 100,
      pressure: false,
      read: () => {
        samples++;
        return {
          at: clock.now(),
          rss: 1,
          heapUsed: 1,
          heapTotal: 1,
          external: 0,
          arrayBuffers: 0,
          heapLimit: 1e9,
          containerLimit: null,
          containerLimitSource: null,
        };
      },
    });
    assert.equal(clock.pending, 0, 'nothing scheduled before start');
    resources.start();
    locks.start();
    tasks.startSweep();
    monitor.start();
    assert.equal(clock.pending, 4);
    await clock.advanceAsync(250);
    assert.equal(samples, 2);
    await Promise.all([resources.close(), locks.close(), tasks.close(), monitor.close()]);
    assert.equal(clock.pending, 0);
  });

  it('a GcObserver built with autostart: false observes nothing until start()', async () => {
    const observer = new GcObserver({ ...quiet, autostart: false });
    assert.equal(observer.stats().observing, false);
    observer.start();
    assert.equal(observer.stats().observing, true);
    await observer.close();
    assert.equal(observer.stats().observing, false);
    assert.throws(() => observer.start(), hasCode(LifecycleErrorCode.CLOSED));
  });
});

describe('a ResourceRegistry on a manual clock', () => {
  it('closes an idle resource closeDelayMs after its last release, and not before', async () => {
    const clock = manualClock();
    const closed: string[] = [];
    const registry = new ResourceRegistry<string, { name: string; close(): void }>({
      ...quiet,
      now: clock.now,
      timers: clock.timers,
      closeDelayMs: 60_000,
    });
    const lease = await registry.acquire('adapter', (key) => ({
      name: key,
      close: () => void closed.push(key),
    }));
    lease.release();
    await clock.advanceAsync(59_999);
    assert.deepEqual(closed, []);
    await clock.advanceAsync(1);
    await settle();
    assert.deepEqual(closed, ['adapter']);
    await registry.close();
  });
});
