import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { LifecycleErrorCode } from '../src/errors.js';
import { StructureRegistry } from '../src/structure-registry.js';
import type { TaskStatus } from '../src/task-types.js';
import { trackTimers } from '../src/testing/timer-tracker.js';
import { untilAborted } from './support/abort.js';
import { captureLogger } from './support/capture-logger.js';
import { hasCode } from './support/error-code.js';
import { manualClock, registry, statusOf } from './support/tasks.js';
import { deferred, holdEventLoop, settle, waitFor } from '../src/testing/wait.js';
import { assertNoLeak } from '../src/testing/assert-no-leak.js';

describe('TaskRegistry bounds', () => {
  it('stays bounded in size and heap over 100,000 short tasks and empties once they age out', async () => {
    const gc = global.gc;
    assert.ok(gc, 'tests run with --expose-gc');
    const heapUsed = async () => {
      await settle();
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const clock = manualClock(0);
    let settled = 0;
    let batchDone = deferred();
    const tasks = registry<{ symbol: string }>({
      maxConcurrent: 8,
      maxQueued: 1_000,
      maxRetained: 500,
      retentionMs: 1_000,
      maxTombstones: 2_000,
      now: clock.now,
      onSettled: () => {
        if (++settled % 1_000 === 0) batchDone.resolve();
      },
    });
    let maxSize = 0;
    let maxTombstones = 0;
    let baseline = 0;
    for (let batch = 0; batch < 100; batch++) {
      // The first batches fill the retained set and the tombstones: the heap is measured from there.
      if (batch === 10) baseline = await heapUsed();
      batchDone = deferred();
      for (let i = 0; i < 1_000; i++) {
        tasks.start((_signal, context) => {
          context.progress(1, 1, 'one symbol');
          return Promise.resolve({ symbol: `SYM${batch}-${i}/USDT` });
        });
        maxSize = Math.max(maxSize, tasks.size);
      }
      await batchDone.promise;
      clock.advance(400);
      tasks.sweep();
      maxTombstones = Math.max(maxTombstones, tasks.stats().tombstones);
    }
    const growth = (await heapUsed()) - baseline;
    assert.ok(maxSize <= tasks.capacity, `size reached ${maxSize}`);
    assert.ok(maxTombstones <= 2_000, `tombstones reached ${maxTombstones}`);
    // 90,000 tasks ran after the baseline: a leak of even 12 bytes a task would exceed this.
    assert.ok(growth < 1024 * 1024, `heap grew by ${growth} bytes`);

    clock.advance(1_000);
    tasks.sweep();
    const stats = tasks.stats();
    assert.deepEqual(
      [stats.size, stats.retained, stats.queued, stats.slotsInUse],
      [0, 0, 0, 0],
      'every internal structure is back to empty',
    );
    assert.deepEqual([stats.started, stats.completed], [100_000, 100_000]);
    assert.equal(stats.swept + stats.evicted, 100_000);
    await tasks.close();
    assert.equal(tasks.stats().tombstones, 0);
  });
});

describe('TaskRegistry leak check', () => {
  it('assertNoLeak is green over start, settle, lookup and sweep cycles', async () => {
    const clock = manualClock(0);
    let settled = 0;
    const tasks = registry<{ symbol: string }>({
      maxRetained: 200,
      retentionMs: 1_000,
      maxTombstones: 1_000,
      now: clock.now,
      onSettled: () => void settled++,
    });
    await assertNoLeak(
      async (i) => {
        const id = tasks.start(() => Promise.resolve({ symbol: `SYM${i}/USDT` }));
        tasks.lookup(id);
        if (i % 100 === 99) {
          await waitFor(() => settled === i + 1, 'the batch to settle', 5000);
          clock.advance(500);
          tasks.sweep();
        }
      },
      { iterations: 2_000, samples: 10, label: 'TaskRegistry start/sweep' },
    );
    assert.ok(tasks.size <= tasks.capacity);
    assert.ok(tasks.stats().tombstones <= 1_000);
    await tasks.close();
  });
});

describe('TaskRegistry close', () => {
  it('cancels running and pending tasks, waits for them, forgets everything and refuses new work', async () => {
    const structures = new StructureRegistry();
    const tasks = registry({ name: 'scans', maxConcurrent: 1, structures });
    let signal: AbortSignal | undefined;
    let settledAfterAbort = false;
    const running = tasks.start(async (s) => {
      signal = s;
      await untilAborted(s).catch(() => (settledAfterAbort = true));
    });
    const pending = tasks.start(() => 'never');
    await waitFor(() => signal !== undefined, 'the task to start', 5000);
    assert.deepEqual(
      structures.snapshot().map((s) => s.name),
      ['scans', 'scans.tombstones'],
    );
    const seen: (TaskStatus | undefined)[] = [];
    const first = tasks.close();
    const second = tasks.close();
    assert.equal(second, first);
    await first;
    seen.push(statusOf(tasks, running), statusOf(tasks, pending));

    assert.equal(settledAfterAbort, true, 'close() waited for the aborted task');
    assert.ok(hasCode(LifecycleErrorCode.CLOSED)(signal?.reason));
    assert.deepEqual(seen, [undefined, undefined]);
    assert.equal(tasks.lookup(running).state, 'unknown');
    assert.deepEqual([tasks.size, tasks.stats().cancelled], [0, 2]);
    assert.deepEqual(structures.snapshot(), []);
    assert.throws(() => tasks.start(() => 'late'), hasCode(LifecycleErrorCode.CLOSED));
    await tasks.close();
  });

  it('stops waiting after closeTimeoutMs for a task that ignores its signal', async () => {
    const release = holdEventLoop();
    try {
      const logger = captureLogger();
      const stubborn = deferred();
      const tasks = registry({ closeTimeoutMs: 20, cancelGraceMs: 60_000, logger });
      const cancelledFirst = tasks.start(() => stubborn.promise);
      const cancelledByClose = tasks.start(() => stubborn.promise);
      await settle();
      tasks.cancel(cancelledFirst); // its long grace period must not hold up close()
      await tasks.close();
      assert.deepEqual([tasks.stats().abandoned, tasks.stats().slotsInUse], [2, 0]);
      const abandoned = logger.entries.filter((e) => e.level === 'warn').map((e) => e.context);
      assert.deepEqual(
        abandoned.sort((x, y) => String(x.task).localeCompare(String(y.task))),
        [cancelledFirst, cancelledByClose].sort().map((task) => ({ registry: 'tasks', task, graceMs: 20 })),
        'both slots were given up at the close deadline',
      );
      stubborn.resolve();
    } finally {
      release();
    }
  });

  it('leaves no live timer: the sweep and every grace timer are cleared', async () => {
    const timers = trackTimers();
    try {
      const tasks = registry({ sweepIntervalMs: 10, cancelGraceMs: 60_000 });
      const signals: AbortSignal[] = [];
      const cancelled = tasks.start((signal) => (signals.push(signal), untilAborted(signal)));
      tasks.start((signal) => (signals.push(signal), untilAborted(signal)));
      await settle();
      tasks.cancel(cancelled);
      assert.ok(timers.live >= 1, 'the sweep timer is tracked');
      await tasks.close();
      await settle();
      assert.equal(timers.live, 0);
      assert.deepEqual(
        signals.map((signal) => getEventListeners(signal, 'abort').length),
        [0, 0],
        'no abort listener is left on any task signal',
      );
    } finally {
      timers.stop();
    }
  });

  it('refuses a structure name already in use without leaving a timer or a registration behind', () => {
    const structures = new StructureRegistry();
    structures.register({ name: 'scans.tombstones', size: 0 });
    const timers = trackTimers();
    try {
      assert.throws(
        () => registry({ name: 'scans', structures }),
        hasCode(LifecycleErrorCode.DUPLICATE_NAME),
      );
      assert.deepEqual(
        structures.snapshot().map((s) => s.name),
        ['scans.tombstones'],
      );
      assert.equal(timers.live, 0);
    } finally {
      timers.stop();
    }
  });

  it('works with await using', async () => {
    let signal: AbortSignal | undefined;
    {
      await using tasks = registry();
      tasks.start((s) => {
        signal = s;
        return untilAborted(s);
      });
      await settle();
    }
    assert.equal(signal?.aborted, true);
  });
});
