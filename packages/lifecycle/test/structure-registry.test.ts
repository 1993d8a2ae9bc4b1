import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, LifecycleErrorCode } from '../src/errors.js';
import { StructureRegistry } from '../src/structure-registry.js';
import { assertNoLeak } from '../src/testing/assert-no-leak.js';

describe('StructureRegistry', () => {
  for (const [option, options] of [
    ['options', 7],
    ['maxStructures', { maxStructures: 0 }],
    ['maxStructures', { maxStructures: Infinity }],
    ['maxStructures', { maxStructures: '10' }],
  ] as const) {
    it(`rejects ${JSON.stringify(options)} naming "${option}"`, () => {
      assert.throws(
        () => new StructureRegistry(options as never),
        (e: unknown) => e instanceof InvalidOptionError && e.option === option,
      );
    });
  }

  it('snapshots size, capacity and utilization sorted by name, reading sizes live', () => {
    const registry = new StructureRegistry();
    const clients = new Map<string, number>();
    registry.register({
      name: 'clients',
      get size() {
        return clients.size;
      },
    });
    registry.register({ name: 'cache', size: 25, capacity: 100 });
    clients.set('a', 1);
    assert.deepEqual(registry.snapshot(), [
      { name: 'cache', size: 25, capacity: 100, utilization: 0.25 },
      { name: 'clients', size: 1, capacity: null, utilization: null },
    ]);
  });

  it('refuses a duplicate name and more than maxStructures; unregister is idempotent', () => {
    const registry = new StructureRegistry({ maxStructures: 2 });
    const unregister = registry.register({ name: 'a', size: 0 });
    assert.throws(() => registry.register({ name: 'a', size: 0 }), {
      code: LifecycleErrorCode.DUPLICATE_NAME,
    });
    registry.register({ name: 'b', size: 0 });
    assert.throws(() => registry.register({ name: 'c', size: 0 }), {
      code: LifecycleErrorCode.LIMIT_REACHED,
    });
    unregister();
    unregister();
    registry.register({ name: 'c', size: 0 });
    assert.equal(registry.size, 2);
  });

  it('an old unregister function does not remove a newer structure of the same name', () => {
    const registry = new StructureRegistry();
    const first = registry.register({ name: 'x', size: 1 });
    first();
    registry.register({ name: 'x', size: 2 });
    first();
    assert.deepEqual(
      registry.snapshot().map((s) => s.size),
      [2],
    );
  });

  it('stays empty after 100,000 register/unregister cycles of distinct names', async () => {
    const registry = new StructureRegistry();
    await assertNoLeak(
      (i) => {
        const unregister = registry.register({ name: `structure-${i}`, size: i });
        unregister();
      },
      { iterations: 10_000, samples: 10, label: 'StructureRegistry register/unregister' },
    );
    assert.equal(registry.size, 0);
  });

  it('close forgets everything, refuses new structures and is idempotent', async () => {
    const registry = new StructureRegistry();
    registry.register({ name: 'a', size: 1 });
    await registry.close();
    await registry.close();
    assert.deepEqual(registry.snapshot(), []);
    assert.throws(() => registry.register({ name: 'b', size: 0 }), { code: LifecycleErrorCode.CLOSED });
  });
});
