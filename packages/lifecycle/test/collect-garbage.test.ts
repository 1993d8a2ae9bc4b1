import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectGarbage } from '../src/testing/settle-heap.js';

describe('collectGarbage', () => {
  it('frees an unreachable object and runs its finalizer before resolving', async () => {
    const finalized: string[] = [];
    const registry = new FinalizationRegistry<string>((label) => finalized.push(label));
    (() => registry.register({ payload: new Array(1000).fill(1) }, 'dropped'))();
    const kept = { payload: 'kept' };
    registry.register(kept, 'kept');
    const heapUsed = await collectGarbage();
    assert.deepEqual(finalized, ['dropped']);
    assert.ok(heapUsed > 0);
    assert.equal(kept.payload, 'kept');
  });
});
