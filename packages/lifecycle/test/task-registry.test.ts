import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LifecycleErrorCode } from '../src/errors.js';
import { untilAborted } from './support/abort.js';
import { captureLogger } from './support/capture-logger.js';
import { hasCode } from './support/error-code.js';
import { found, manualClock, registry, statusOf } from './support/tasks.js';
import { deferred, settle, waitFor } from '../src/testing/wait.js';

describe('TaskRegistry task lifecycle', () => {
  it('moves pending -> running -> completed or failed, with timestamps, result and error', async () => {
    const clock = manualClock(1_000);
    await using tasks = registry<{ rows: number }>({ maxConcurrent: 1, now: clock.now });
    const first = deferred<{ rows: number }>();
    const second = deferred();
    const failure = new RangeError('exchange said no');
    const a = tasks.start(() => first.promise);
    const b = tasks.start(async () => {
      await second.promise;
      throw failure;
    });

    const running = found(tasks, a);
    assert.deepEqual(
      [running.status, running.createdAt, running.startedAt, running.finishedAt],
      ['running', 1_000, 1_000, null],
    );
    const pending = found(tasks, b);
    assert.deepEqual([pending.status, pending.startedAt, pending.finishedAt], ['pending', null, null]);

    clock.advance(500);
    first.resolve({ rows: 3 });
    await waitFor(() => statusOf(tasks, a) === 'completed', 'a to complete', 5000);
    const completed = found(tasks, a);
    assert.equal(completed.finishedAt, 1_500);
    assert.deepEqual(completed.result, { rows: 3 });
    assert.equal(completed.error, null);
    assert.deepEqual([statusOf(tasks, b), found(tasks, b).startedAt], ['running', 1_500]);

    clock.advance(250);
    second.resolve();
    await waitFor(() => statusOf(tasks, b) === 'failed', 'b to fail', 5000);
    const failed = found(tasks, b);
    assert.equal(failed.error, failure);
    assert.equal(failed.result, undefined);
    assert.equal(failed.finishedAt, 1_750);

    const stats = tasks.stats();
    assert.deepEqual([stats.started, stats.completed, stats.failed], [2, 1, 1]);
    assert.deepEqual(stats.byStatus, { pending: 0, running: 0, completed: 1, failed: 1, cancelled: 0 });
  });

  it('turns a non-Error throw into an Error and captures a synchronous throw', async () => {
    await using tasks = registry();
    const a = tasks.start(() => {
      throw 'plain string'; // eslint-disable-line @typescript-eslint/only-throw-error
    });
    await waitFor(() => statusOf(tasks, a) === 'failed', 'the task to fail', 5000);
    assert.ok(found(tasks, a).error instanceof Error);
  });

  it('calls the function after start() has returned, never inside it', async () => {
    await using tasks = registry();
    let called = false;
    const id = tasks.start(() => {
      called = true;
    });
    assert.equal(called, false);
    await waitFor(() => statusOf(tasks, id) === 'completed', 'the task to complete', 5000);
    assert.equal(called, true);
  });

  it('shows reported progress, cuts long messages and ignores reports after cancellation', async () => {
    const clock = manualClock(5_000);
    await using tasks = registry({ now: clock.now });
    const step = deferred();
    let report: ((done: number, total?: number, message?: string) => void) | undefined;
    let seenId: string | undefined;
    const id = tasks.start(async (signal, context) => {
      seenId = context.id;
      report = (...args) => context.progress(...args);
      context.progress(3, 10, 'scanning BTC/USDT');
      await step.promise;
      context.progress(4, undefined, 'x'.repeat(5000));
      await untilAborted(signal);
    });
    await waitFor(() => found(tasks, id).progress !== null, 'the first report', 5000);
    assert.equal(seenId, id);
    assert.deepEqual(found(tasks, id).progress, {
      done: 3,
      total: 10,
      message: 'scanning BTC/USDT',
      updatedAt: 5_000,
    });
    clock.advance(10);
    step.resolve();
    await waitFor(() => found(tasks, id).progress?.done === 4, 'the second report', 5000);
    const second = found(tasks, id).progress;
    assert.deepEqual([second?.total, second?.message?.length, second?.updatedAt], [null, 1000, 5_010]);

    tasks.cancel(id);
    report?.(9, 10, 'too late');
    assert.equal(found(tasks, id).progress?.done, 4);
  });

  it('keeps a caller-supplied id, label and a frozen copy of the metadata; refuses a duplicate id', async () => {
    await using tasks = registry();
    const metadata = { symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '1h' };
    const id = tasks.start(() => 'ok', { id: 'scan-1', label: 'Top movers', metadata });
    assert.equal(id, 'scan-1');
    metadata.timeframe = '4h';
    const task = found(tasks, id);
    assert.equal(task.label, 'Top movers');
    assert.equal(task.metadata?.timeframe, '1h');
    assert.ok(Object.isFrozen(task.metadata));
    assert.throws(
      () => tasks.start(() => 'again', { id: 'scan-1' }),
      hasCode(LifecycleErrorCode.DUPLICATE_NAME),
    );
    assert.match(
      tasks.start(() => 'generated'),
      /^[0-9a-f-]{36}$/,
    );
  });

  it('calls onSettled once per finished task; a throwing or rejecting hook is logged and counted', async () => {
    const logger = captureLogger();
    const seen: string[] = [];
    let calls = 0;
    await using tasks = registry({
      logger,
      onSettled: (task) => {
        calls++;
        seen.push(`${task.id}:${task.status}:${String(task.result)}`);
        if (task.id === 'throws') throw new Error('hook broke');
        if (task.id === 'rejects') return Promise.reject(new Error('async hook broke')) as never;
      },
    });
    tasks.start(() => 1, { id: 'ok' });
    tasks.start(() => 2, { id: 'throws' });
    tasks.start(() => 3, { id: 'rejects' });
    tasks.start((signal) => untilAborted(signal), { id: 'cancelled' });
    await waitFor(() => calls === 3, 'three settled tasks', 5000);
    tasks.cancel('cancelled');
    await waitFor(() => tasks.stats().hookErrors === 2, 'both hook failures', 5000);
    assert.deepEqual(seen.sort(), [
      'cancelled:cancelled:undefined',
      'ok:completed:1',
      'rejects:completed:3',
      'throws:completed:2',
    ]);
    const errors = logger.entries.filter((e) => e.level === 'error');
    assert.deepEqual(errors.map((e) => e.context.task).sort(), ['rejects', 'throws']);
    assert.equal(statusOf(tasks, 'throws'), 'completed');
  });
});

describe('TaskRegistry concurrency', () => {
  it('never runs more than maxConcurrent at once and starts queued tasks first in, first out', async () => {
    await using tasks = registry({ maxConcurrent: 2 });
    const gates = Array.from({ length: 6 }, () => deferred());
    const startOrder: number[] = [];
    let active = 0;
    let maxActive = 0;
    const ids = gates.map((gate, i) =>
      tasks.start(async () => {
        startOrder.push(i);
        maxActive = Math.max(maxActive, ++active);
        await gate.promise;
        active--;
      }),
    );
    await settle();
    assert.deepEqual(
      ids.map((id) => statusOf(tasks, id)),
      ['running', 'running', 'pending', 'pending', 'pending', 'pending'],
    );
    assert.deepEqual([tasks.stats().queued, tasks.stats().slotsInUse], [4, 2]);

    // Finishing out of order must not change the order in which the queue starts.
    for (const i of [1, 0, 3, 2, 5, 4]) {
      gates[i]?.resolve();
      await waitFor(() => statusOf(tasks, ids[i] ?? '') === 'completed', `task ${i}`, 5000);
    }
    assert.deepEqual(startOrder, [0, 1, 2, 3, 4, 5]);
    assert.equal(maxActive, 2);
    assert.deepEqual([tasks.stats().queued, tasks.stats().slotsInUse], [0, 0]);
  });

  it('throws QUEUE_FULL when every slot is busy and the queue is full, and holds nothing more', async () => {
    await using tasks = registry({ maxConcurrent: 1, maxQueued: 1 });
    tasks.start((signal) => untilAborted(signal));
    tasks.start(() => 'waits');
    assert.throws(() => tasks.start(() => 'refused'), hasCode(LifecycleErrorCode.QUEUE_FULL));
    assert.deepEqual([tasks.size, tasks.stats().started], [2, 2]);
  });

  it('with maxQueued 0 starts a task at once or refuses it', async () => {
    await using tasks = registry({ maxConcurrent: 1, maxQueued: 0 });
    tasks.start((signal) => untilAborted(signal));
    assert.throws(() => tasks.start(() => 'refused'), hasCode(LifecycleErrorCode.QUEUE_FULL));
  });
});

describe('TaskRegistry cancel', () => {
  it('aborts a running task, marks it cancelled at once and gives its slot to the next task', async () => {
    const clock = manualClock(2_000);
    await using tasks = registry({ maxConcurrent: 1, now: clock.now });
    let signal: AbortSignal | undefined;
    const running = tasks.start((s) => {
      signal = s;
      return untilAborted(s);
    });
    const next = tasks.start(() => 'next');
    await waitFor(() => signal !== undefined, 'the task to start', 5000);

    clock.advance(100);
    assert.equal(tasks.cancel(running), true);
    const cancelled = found(tasks, running);
    assert.deepEqual([cancelled.status, cancelled.finishedAt, cancelled.error], ['cancelled', 2_100, null]);
    assert.equal(signal?.aborted, true);
    assert.ok(hasCode(LifecycleErrorCode.ABORTED)(signal?.reason));
    await waitFor(() => statusOf(tasks, next) === 'completed', 'the next task', 5000);
    assert.equal(statusOf(tasks, running), 'cancelled', 'the rejection after cancel does not make it failed');
    assert.equal(tasks.cancel(running), false, 'a finished task cannot be cancelled');
    assert.equal(tasks.cancel('no-such-task'), false);
    assert.deepEqual([tasks.stats().cancelled, tasks.stats().failed, tasks.stats().abandoned], [1, 0, 0]);
  });

  it('removes a pending task from the queue; its function never runs', async () => {
    await using tasks = registry({ maxConcurrent: 1 });
    tasks.start((signal) => untilAborted(signal));
    let called = false;
    const waiting = tasks.start(() => {
      called = true;
    });
    assert.equal(tasks.cancel(waiting), true);
    const task = found(tasks, waiting);
    assert.deepEqual([task.status, task.startedAt], ['cancelled', null]);
    assert.equal(tasks.stats().queued, 0);
    await settle();
    assert.equal(called, false);
  });

  it('never calls a function whose task is cancelled before it got going', async () => {
    await using tasks = registry();
    let called = false;
    const id = tasks.start(() => {
      called = true;
    });
    tasks.cancel(id);
    await settle();
    assert.equal(called, false);
    assert.equal(tasks.stats().slotsInUse, 0);
  });

  it('takes the slot back from a cancelled task that ignores its signal after cancelGraceMs', async () => {
    const logger = captureLogger();
    await using tasks = registry<string>({ maxConcurrent: 1, cancelGraceMs: 20, logger });
    const stubborn = deferred<string>();
    const ignoring = tasks.start(() => stubborn.promise);
    const next = tasks.start(() => 'next');
    await settle();
    tasks.cancel(ignoring);
    assert.equal(statusOf(tasks, next), 'pending', 'the slot is held during the grace period');

    await waitFor(() => statusOf(tasks, next) === 'completed', 'the next task', 5000);
    assert.equal(tasks.stats().abandoned, 1);
    const warnings = logger.entries.filter((e) => e.level === 'warn');
    assert.deepEqual(
      warnings.map((w) => w.context),
      [{ registry: 'tasks', task: ignoring, graceMs: 20 }],
    );

    stubborn.resolve('late result');
    await settle();
    const late = found(tasks, ignoring);
    assert.deepEqual([late.status, late.result], ['cancelled', undefined]);
    assert.equal(tasks.stats().slotsInUse, 0);
  });
});
