import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError } from '../src/errors.js';
import { trackTimers } from '../src/testing/timer-tracker.js';
import { connFactory, registry } from './support/resources.js';
import { holdEventLoop, settle, waitFor } from '../src/testing/wait.js';

describe('ResourceRegistry closeDelayMs', () => {
  it('rejects a bad closeDelayMs naming it', () => {
    for (const closeDelayMs of [-1, 1.5, Infinity, '10']) {
      assert.throws(
        () => registry({ closeDelayMs: closeDelayMs as number }),
        (e: unknown) => e instanceof InvalidOptionError && e.option === 'closeDelayMs',
      );
    }
  });

  it('closes a resource closeDelayMs after its last lease is released', async () => {
    const release = holdEventLoop();
    const { create, made } = connFactory();
    const reg = registry({ closeDelayMs: 20 });
    const first = await reg.acquire('sim', create);
    const second = await reg.acquire('sim', create);
    first.release();
    assert.equal(reg.stats().closesScheduled, 0, 'a lease is still held');
    second.release();
    assert.equal(reg.stats().closesScheduled, 1);
    await waitFor(() => made[0]?.closes === 1, 'the delayed close', 5000);
    assert.equal(reg.size, 0);
    assert.equal(reg.stats().closesScheduled, 0);
    await reg.close();
    release();
  });

  it('cancels the pending close when the resource is leased again, and never closes a leased one', async () => {
    const release = holdEventLoop();
    const timers = trackTimers();
    const { create, made } = connFactory();
    const reg = registry({ closeDelayMs: 30 });
    (await reg.acquire('sim', create)).release();
    const again = await reg.acquire('sim', create);
    assert.equal(reg.stats().closesScheduled, 0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(made.length, 1, 'the same resource was handed out again');
    assert.equal(made[0]?.closes, 0, 'a leased resource is never closed by the delay');
    again.release();
    await waitFor(() => made[0]?.closes === 1, 'the delayed close', 5000);
    await reg.close();
    await settle();
    assert.equal(timers.live, 0);
    timers.stop();
    release();
  });

  it('close() clears pending delayed closes and closes the resources at once', async () => {
    const timers = trackTimers();
    const { create, made } = connFactory();
    const reg = registry({ closeDelayMs: 60_000 });
    (await reg.acquire('a', create)).release();
    (await reg.acquire('b', create)).release();
    assert.equal(reg.stats().closesScheduled, 2);
    await reg.close();
    await settle();
    assert.deepEqual(
      made.map((c) => c.closes),
      [1, 1],
    );
    assert.equal(reg.stats().closesScheduled, 0);
    assert.equal(timers.live, 0);
    timers.stop();
  });
});
