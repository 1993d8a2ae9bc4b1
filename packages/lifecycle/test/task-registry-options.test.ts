import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskRegistry } from '../src/task-registry.js';
import { found, isInvalidOption, registry, statusOf } from './support/tasks.js';
import { waitFor } from '../src/testing/wait.js';

describe('TaskRegistry options', () => {
  const bad: [string, unknown][] = [
    ['options', 'fast'],
    ['name', { name: '' }],
    ['maxConcurrent', { maxConcurrent: 0 }],
    ['maxConcurrent', { maxConcurrent: 1.5 }],
    ['maxConcurrent', { maxConcurrent: 10_001 }],
    ['maxConcurrent', { maxConcurrent: '4' }],
    ['maxQueued', { maxQueued: -1 }],
    ['maxQueued', { maxQueued: Infinity }],
    ['maxRetained', { maxRetained: -1 }],
    ['maxRetained', { maxRetained: 1_000_001 }],
    ['retentionMs', { retentionMs: -1 }],
    ['retentionMs', { retentionMs: 2 ** 31 }],
    ['sweepIntervalMs', { sweepIntervalMs: 0 }],
    ['sweepIntervalMs', { sweepIntervalMs: Infinity }],
    ['maxTombstones', { maxTombstones: 0 }],
    ['maxTombstones', { maxTombstones: 10_000_001 }],
    ['cancelGraceMs', { cancelGraceMs: -1 }],
    ['closeTimeoutMs', { closeTimeoutMs: 2 ** 31 }],
    ['onSettled', { onSettled: 'log' }],
    ['structures', { structures: {} }],
    ['logger', { logger: { warn() {} } }],
    ['now', { now: 1_000 }],
  ];
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(() => new TaskRegistry(options as never), isInvalidOption(option));
    });
  }

  it('has documented defaults, and a capacity that bounds every task it can hold', async () => {
    await using tasks = new TaskRegistry();
    assert.equal(tasks.name, 'tasks');
    assert.equal(tasks.maxConcurrent, 4);
    assert.equal(tasks.maxQueued, 100);
    assert.equal(tasks.maxRetained, 1000);
    assert.equal(tasks.retentionMs, 3_600_000);
    assert.equal(tasks.cancelGraceMs, 5000);
    assert.equal(tasks.closeTimeoutMs, 5000);
    assert.equal(tasks.capacity, 4 + 100 + 1000);
    assert.equal(tasks.stats().maxTombstones, 10_000);
  });

  const badStarts: [string, unknown, unknown][] = [
    ['fn', 'not a function', undefined],
    ['options', () => {}, 'scan'],
    ['id', () => {}, { id: '' }],
    ['id', () => {}, { id: 'x'.repeat(129) }],
    ['id', () => {}, { id: 42 }],
    ['label', () => {}, { label: 'x'.repeat(257) }],
    ['metadata', () => {}, { metadata: 'symbols=BTC' }],
  ];
  for (const [option, fn, options] of badStarts) {
    it(`start() rejects ${JSON.stringify(options) ?? String(fn)} naming "${option}" and holds nothing`, async () => {
      await using tasks = registry();
      assert.throws(() => tasks.start(fn as never, options as never), isInvalidOption(option));
      assert.equal(tasks.size, 0);
      assert.equal(tasks.stats().started, 0);
    });
  }

  const badLists: [string, unknown][] = [
    ['options', 5],
    ['limit', { limit: 0 }],
    ['limit', { limit: 1001 }],
    ['cursor', { cursor: 'abc' }],
    ['cursor', { cursor: '' }],
    ['cursor', { cursor: '-1' }],
    ['status', { status: 'done' }],
  ];
  for (const [option, options] of badLists) {
    it(`list() rejects ${JSON.stringify(options)} naming "${option}"`, async () => {
      await using tasks = registry();
      assert.throws(() => tasks.list(options as never), isInvalidOption(option));
    });
  }

  const badProgress: [string, unknown[]][] = [
    ['done', [-1]],
    ['done', [Number.NaN]],
    ['done', ['3']],
    ['total', [1, Infinity]],
    ['message', [1, 2, 404]],
  ];
  for (const [option, args] of badProgress) {
    it(`progress(${args.map(String).join(', ')}) throws into the task, naming "${option}"`, async () => {
      await using tasks = registry();
      const id = tasks.start((_signal, context) => {
        (context.progress as (...a: unknown[]) => void)(...args);
      });
      await waitFor(() => statusOf(tasks, id) === 'failed', 'the task to fail', 5000);
      assert.ok(isInvalidOption(option)(found(tasks, id).error));
    });
  }
});
