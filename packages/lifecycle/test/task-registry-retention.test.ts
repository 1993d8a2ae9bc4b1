import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskContext } from '../src/task-types.js';
import { untilAborted } from './support/abort.js';
import { found, manualClock, registry, statusOf } from './support/tasks.js';
import { holdEventLoop, settle, waitFor } from '../src/testing/wait.js';

describe('TaskRegistry retention', () => {
  it('sweeps tasks finished retentionMs ago; a swept id answers expired, a never-seen one unknown', async () => {
    const clock = manualClock(1_000);
    await using tasks = registry({ retentionMs: 1_000, now: clock.now });
    const old = tasks.start(() => 'old');
    await waitFor(() => statusOf(tasks, old) === 'completed', 'old', 5000);
    clock.advance(600);
    const young = tasks.start(() => 'young');
    const busy = tasks.start((signal) => untilAborted(signal));
    await waitFor(() => statusOf(tasks, young) === 'completed', 'young', 5000);

    clock.advance(400); // old finished 1000 ms ago, young 400 ms ago, busy started 400 ms ago
    assert.equal(tasks.sweep(), 1);
    assert.deepEqual(tasks.lookup(old), { state: 'expired', id: old, expiredAt: 2_000 });
    assert.equal(statusOf(tasks, young), 'completed');
    assert.deepEqual(tasks.lookup('never-started'), { state: 'unknown', id: 'never-started' });

    clock.advance(10_000);
    assert.equal(tasks.sweep(), 1);
    assert.equal(tasks.lookup(young).state, 'expired');
    assert.equal(statusOf(tasks, busy), 'running', 'a running task is never swept');
    const stats = tasks.stats();
    assert.deepEqual([stats.swept, stats.sweeps, stats.lastSweepAt, stats.tombstones], [2, 2, 12_000, 2]);
  });

  it('sweeps on its own every sweepIntervalMs', async () => {
    const release = holdEventLoop();
    try {
      await using tasks = registry({ retentionMs: 0, sweepIntervalMs: 10 });
      const id = tasks.start(() => 'done');
      await waitFor(() => tasks.lookup(id).state === 'expired', 'the periodic sweep', 5000);
      assert.ok(tasks.stats().sweeps >= 1);
    } finally {
      release();
    }
  });

  it('keeps at most maxRetained finished tasks, dropping the oldest first, never a running one', async () => {
    await using tasks = registry({ maxRetained: 2 });
    const busy = tasks.start((signal) => untilAborted(signal));
    const done: string[] = [];
    for (const name of ['first', 'second', 'third']) {
      const id = tasks.start(() => name);
      await waitFor(() => statusOf(tasks, id) === 'completed', name, 5000);
      done.push(id);
    }
    assert.equal(tasks.lookup(done[0] ?? '').state, 'expired');
    assert.deepEqual(
      done.slice(1).map((id) => statusOf(tasks, id)),
      ['completed', 'completed'],
    );
    assert.equal(statusOf(tasks, busy), 'running');
    const stats = tasks.stats();
    assert.deepEqual([stats.retained, stats.evicted, stats.size], [2, 1, 3]);
  });

  it('with maxRetained 0 hands the outcome to onSettled and keeps only a tombstone', async () => {
    const outcomes: unknown[] = [];
    await using tasks = registry({ maxRetained: 0, onSettled: (task) => void outcomes.push(task.result) });
    const id = tasks.start(() => 'handed over');
    await waitFor(() => outcomes.length === 1, 'the task to settle', 5000);
    assert.deepEqual(outcomes, ['handed over']);
    assert.equal(tasks.lookup(id).state, 'expired');
    assert.deepEqual([tasks.size, tasks.stats().evicted], [0, 1]);
  });

  it('remembers at most maxTombstones expired ids; older ones fall back to unknown', async () => {
    await using tasks = registry({ retentionMs: 0, maxTombstones: 3 });
    const ids = Array.from({ length: 5 }, (_, i) => tasks.start(() => i));
    await waitFor(() => tasks.stats().completed === 5, 'five tasks', 5000);
    assert.equal(tasks.sweep(), 5);
    assert.ok(tasks.stats().tombstones <= 3);
    assert.equal(tasks.lookup(ids[0] ?? '').state, 'unknown');
    assert.equal(tasks.lookup(ids[4] ?? '').state, 'expired');
  });

  it('lets an expired id be used again', async () => {
    await using tasks = registry({ retentionMs: 0 });
    tasks.start(() => 'first run', { id: 'daily' });
    await waitFor(() => statusOf(tasks, 'daily') === 'completed', 'the first run', 5000);
    tasks.sweep();
    assert.equal(tasks.lookup('daily').state, 'expired');
    tasks.start(() => 'second run', { id: 'daily' });
    await waitFor(() => statusOf(tasks, 'daily') === 'completed', 'the second run', 5000);
    assert.equal(found(tasks, 'daily').result, 'second run');
  });
});

describe('TaskRegistry cleanup', () => {
  it('cleanupTask() lets the result go, even while the task code still holds its context', async () => {
    assert.ok(global.gc, 'tests run with --expose-gc');
    await using tasks = registry();
    let ref: WeakRef<object> | undefined;
    // Task code that keeps its context past the end of the task must not keep the result alive.
    let leakedContext: TaskContext | undefined;
    const id = tasks.start((_signal, context) => {
      leakedContext = context;
      const big = { candles: new Float64Array(1_000_000) };
      ref = new WeakRef(big);
      return big;
    });
    await waitFor(() => statusOf(tasks, id) === 'completed', 'the task', 5000);
    await settle();
    global.gc();
    assert.notEqual(ref?.deref(), undefined, 'held while the task is retained');

    await settle(); // a WeakRef keeps its target alive until the end of the job that read it
    assert.equal(tasks.cleanupTask(id), true);
    assert.deepEqual(tasks.lookup(id), { state: 'unknown', id });
    assert.equal(tasks.cleanupTask(id), false);
    await settle();
    global.gc();
    assert.equal(ref?.deref(), undefined);
    assert.equal(leakedContext?.id, id);
  });

  it('cleanupTask() on a running task cancels it, frees its slot and forgets it', async () => {
    await using tasks = registry({ maxConcurrent: 1 });
    let signal: AbortSignal | undefined;
    const running = tasks.start((s) => {
      signal = s;
      return untilAborted(s);
    });
    const next = tasks.start(() => 'next');
    await waitFor(() => signal !== undefined, 'the task to start', 5000);
    assert.equal(tasks.cleanupTask(running), true);
    assert.equal(signal?.aborted, true);
    assert.equal(tasks.lookup(running).state, 'unknown');
    await waitFor(() => statusOf(tasks, next) === 'completed', 'the next task', 5000);
    assert.deepEqual([tasks.size, tasks.stats().retained], [1, 1]);
  });

  it('clearAllResults() drops results and errors of finished tasks only and reports how many', async () => {
    assert.ok(global.gc, 'tests run with --expose-gc');
    await using tasks = registry();
    const refs: WeakRef<object>[] = [];
    const big = (): { data: Float64Array } => {
      const value = { data: new Float64Array(500_000) };
      refs.push(new WeakRef(value));
      return value;
    };
    const ids = [
      tasks.start(() => big()),
      tasks.start(() => big()),
      tasks.start(() => {
        const error = Object.assign(new Error('scan failed'), big());
        throw error;
      }),
      tasks.start(() => undefined),
    ];
    const busy = tasks.start((signal) => untilAborted(signal));
    await waitFor(() => tasks.stats().completed + tasks.stats().failed === 4, 'four tasks', 5000);

    assert.equal(tasks.clearAllResults(), 3);
    for (const id of ids) {
      const task = found(tasks, id);
      assert.deepEqual([task.result, task.error], [undefined, null]);
    }
    assert.deepEqual(
      ids.map((id) => found(tasks, id).resultCleared),
      [true, true, true, false],
    );
    assert.equal(statusOf(tasks, busy), 'running');
    assert.equal(tasks.clearAllResults(), 0);
    await settle();
    global.gc();
    assert.deepEqual(
      refs.map((r) => r.deref()),
      [undefined, undefined, undefined],
    );
  });
});

describe('TaskRegistry list', () => {
  it('pages newest first without results, filters by status, and keeps cursors valid as tasks arrive', async () => {
    await using tasks = registry({ maxConcurrent: 1 });
    const quick = ['q0', 'q1', 'q2'].map((id) => tasks.start(() => `${id} result`, { id }));
    await waitFor(() => tasks.stats().completed === 3, 'three quick tasks', 5000);
    tasks.start((signal) => untilAborted(signal), { id: 'r3' });
    tasks.start(() => 'waits', { id: 'p4' });

    const page1 = tasks.list({ limit: 2 });
    assert.deepEqual(
      page1.tasks.map((t) => t.id),
      ['p4', 'r3'],
    );
    assert.ok(page1.nextCursor);
    tasks.start(() => 'arrives between pages', { id: 'p5' });
    const page2 = tasks.list({ limit: 2, cursor: page1.nextCursor });
    assert.deepEqual(
      page2.tasks.map((t) => t.id),
      ['q2', 'q1'],
    );
    const page3 = tasks.list({ limit: 2, cursor: page2.nextCursor ?? '' });
    assert.deepEqual([page3.tasks.map((t) => t.id), page3.nextCursor], [['q0'], null]);

    const completed = tasks.list({ status: 'completed' });
    assert.deepEqual(
      completed.tasks.map((t) => t.id),
      [...quick].reverse(),
    );
    for (const task of completed.tasks) {
      assert.equal('result' in task, false);
      assert.equal('error' in task, false);
    }
    assert.deepEqual(
      tasks.list().tasks.map((t) => t.id),
      ['p5', 'p4', 'r3', 'q2', 'q1', 'q0'],
    );
  });
});
