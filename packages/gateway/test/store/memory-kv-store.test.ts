import { GatewayErrorCode } from '../../src/errors.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StructureRegistry, silentLogger } from '@steadystate/lifecycle';
import { manualClock } from '@steadystate/lifecycle/testing';
import { KvError } from '../../src/store/kv-store.js';
import { MemoryKvStore } from '../../src/store/memory-kv-store.js';

function store(maxEntries: number) {
  const clock = manualClock();
  const structures = new StructureRegistry();
  const kv = new MemoryKvStore({ maxEntries, structures, logger: silentLogger, now: clock.now });
  return { kv, clock, structures };
}

describe('MemoryKvStore', () => {
  it('expires each key after its own TTL, and keeps keys set without one', async () => {
    const { kv, clock } = store(10);
    await kv.set('short', 'a', 1);
    await kv.set('long', 'b', 300);
    await kv.set('forever', 'c');
    clock.advance(999);
    assert.equal(await kv.get('short'), 'a');
    clock.advance(2);
    assert.equal(await kv.get('short'), null);
    assert.equal(await kv.get('long'), 'b');
    clock.advance(299_000);
    assert.equal(await kv.get('long'), null);
    assert.equal(await kv.get('forever'), 'c');
    await kv.close();
  });

  it('setting a key again restarts its TTL', async () => {
    const { kv, clock } = store(10);
    await kv.set('market_indices', 'v1', 300);
    clock.advance(200_000);
    await kv.set('market_indices', 'v2', 300);
    clock.advance(200_000);
    assert.equal(await kv.get('market_indices'), 'v2');
    await kv.close();
  });

  it('purge() drops expired keys nobody read, so they stop counting toward the bound', async () => {
    const { kv, clock } = store(10);
    for (let i = 0; i < 4; i++) await kv.set(`k${i}`, 'x', 1);
    await kv.set('kept', 'x');
    clock.advance(1001);
    assert.equal(kv.status().keys, 5, 'expired keys stay until read or purged');
    assert.equal(kv.purge(), 4);
    assert.equal(kv.status().keys, 1);
    await kv.close();
  });

  it('never holds more than maxEntries keys, dropping the least recently used', async () => {
    const { kv, structures } = store(100);
    for (let i = 0; i < 1000; i++) {
      await kv.set(`key-${i}`, String(i));
      assert.ok((kv.status().keys ?? 0) <= 100);
    }
    assert.equal(await kv.get('key-999'), '999', 'the newest key is kept');
    assert.equal(await kv.get('key-0'), null, 'the oldest went');
    const row = structures.snapshot().find((s) => s.name === 'kv_store');
    assert.deepEqual([row?.capacity, (row?.size ?? 0) <= 100], [100, true]);
    await kv.close();
  });

  it('delete() removes a key; after close() reads and writes reject with KV_CLOSED', async () => {
    const { kv, structures } = store(10);
    await kv.set('a', '1');
    await kv.delete('a');
    assert.equal(await kv.get('a'), null);
    assert.deepEqual(kv.status(), {
      backend: 'memory',
      connected: true,
      pending: 0,
      errors: 0,
      reconnects: 0,
      keys: 0,
    });
    await kv.close();
    await kv.close();
    for (const call of [() => kv.get('a'), () => kv.set('a', '1')]) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof KvError);
        assert.equal(error.code, GatewayErrorCode.KV_CLOSED);
        return true;
      });
    }
    assert.equal(kv.status().connected, false);
    assert.equal(
      structures.snapshot().some((s) => s.name === 'kv_store'),
      false,
      'unregistered on close',
    );
  });
});
