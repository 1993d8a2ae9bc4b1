import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import { startClockedGateway } from '../support/clocked-gateway.js';
import {
  adminRequest,
  connectAuthenticated,
  liveSimAdapter,
  marketDataOf,
  MONITOR_OUT_OF_THE_WAY,
  subscribe,
  unsubscribe,
} from '../support/market-session.js';
import { startTestGateway, TEST_API_KEYS } from '../support/test-gateway.js';

/** The defaults of BROKER_ADAPTER_CLEANUP_DELAY, BROKER_ADAPTER_MAX_IDLE and WEBSOCKET_CLEANUP_INTERVAL. */
const TEARDOWN_DELAY_MS = 60_000;
const MAX_IDLE_MS = 30 * 60_000;
const ORPHAN_INTERVAL_MS = 5 * 60_000;
/** How often the idle sweep runs: every BROKER_ADAPTER_MAX_IDLE, at most every minute. */
const SWEEP_INTERVAL_MS = 60_000;
/** A day: no teardown happens unless the test moves the clock that far. */
const NEVER = '86400';
const sorted = (symbols: readonly string[]) => [...symbols].sort();

/**
 * A gateway on a manual clock whose teardown delay never runs out (only the idle sweep can close
 * an adapter), and one client holding BTC/USDT on its SIM adapter.
 */
async function heldAdapter() {
  const { gateway, advance } = await startClockedGateway({
    ...MONITOR_OUT_OF_THE_WAY,
    BROKER_ADAPTER_CLEANUP_DELAY: NEVER,
  });
  try {
    const client = await connectAuthenticated(gateway);
    await subscribe(client, ['BTC/USDT']);
    return { gateway, advance, client, adapter: liveSimAdapter(gateway) };
  } catch (error) {
    await gateway.close();
    throw error;
  }
}

describe('adapter lifecycle', () => {
  it('tears the adapter down BROKER_ADAPTER_CLEANUP_DELAY after its last client leaves, not a millisecond before', async () => {
    const { gateway, advance } = await startClockedGateway(MONITOR_OUT_OF_THE_WAY);
    const { adapters, clients } = gateway.parts;
    try {
      const first = await connectAuthenticated(gateway);
      const last = await connectAuthenticated(gateway, TEST_API_KEYS[1]);
      await subscribe(first, ['BTC/USDT']);
      await subscribe(last, ['BTC/USDT', 'ETH/USDT']);
      const adapter = liveSimAdapter(gateway);

      await first.close();
      await waitFor(() => clients.size === 1, 'the server to release the first client');
      await advance(2 * TEARDOWN_DELAY_MS);
      assert.deepEqual([adapters.count, adapters.stats().closesScheduled], [1, 0], 'a client still holds it');

      await last.close();
      await waitFor(() => adapters.stats().closesScheduled === 1, 'the teardown to be scheduled');
      await advance(TEARDOWN_DELAY_MS - 1);
      const state = [adapters.count, adapters.stats().closesScheduled, adapter.status()];
      assert.deepEqual(state, [1, 1, 'connected'], 'a millisecond before the delay runs out');
      await advance(1);
      assert.equal(adapters.count, 0, 'torn down as the delay runs out');
      assert.equal(adapter.status(), 'closed');
      assert.deepEqual(adapter.subscribedSymbols(), []);
      assert.deepEqual([adapters.stats().created, adapters.stats().closed], [1, 1]);
    } finally {
      await gateway.close();
    }
  });

  it('cancels the teardown when a client comes back within the delay, keeping the same adapter', async () => {
    const { gateway, advance } = await startClockedGateway(MONITOR_OUT_OF_THE_WAY);
    const { adapters } = gateway.parts;
    try {
      const leaving = await connectAuthenticated(gateway);
      // Connected and authenticated before, so that only its subscribe falls within the delay.
      const returning = await connectAuthenticated(gateway, TEST_API_KEYS[1]);
      await subscribe(leaving, ['BTC/USDT']);
      const adapter = liveSimAdapter(gateway);

      await leaving.close();
      await waitFor(() => adapters.stats().closesScheduled === 1, 'the teardown to be scheduled');
      await advance(TEARDOWN_DELAY_MS - 1);
      await subscribe(returning, ['BTC/USDT']);
      assert.equal(adapters.stats().closesScheduled, 0, 'the new lease cancelled the teardown');

      // Far past the deadline the first teardown had: still the same adapter, never closed.
      await advance(10 * TEARDOWN_DELAY_MS);
      assert.equal(liveSimAdapter(gateway), adapter);
      assert.equal(adapter.status(), 'connected');
      assert.deepEqual([adapters.stats().created, adapters.stats().closed], [1, 0]);
      const since = Date.now();
      await returning.next(marketDataOf('BTC/USDT', since), 5000, 'a fresh BTC/USDT tick');

      // When it leaves in turn, the delay starts again in full.
      await returning.close();
      await waitFor(() => adapters.stats().closesScheduled === 1, 'the second teardown to be scheduled');
      await advance(TEARDOWN_DELAY_MS - 1);
      assert.equal(adapters.count, 1, 'a millisecond before the new delay runs out');
      await advance(1);
      assert.deepEqual([adapters.count, adapters.stats().closed], [0, 1]);
    } finally {
      await gateway.close();
    }
  });

  it('the idle sweep never closes an adapter with a live client, however long past BROKER_ADAPTER_MAX_IDLE', async () => {
    const { gateway, advance, client, adapter } = await heldAdapter();
    const { adapters, clients } = gateway.parts;
    try {
      // Twice the idle limit, through sixty sweeps: the lease keeps it, and it still ticks.
      await advance(2 * MAX_IDLE_MS);
      assert.equal(liveSimAdapter(gateway), adapter);
      assert.equal(adapter.status(), 'connected');
      const since = Date.now();
      await client.next(marketDataOf('BTC/USDT', since), 5000, 'a fresh BTC/USDT tick');

      // The same sweep closes it once nobody holds it: with the delay at a day, only the sweep can.
      // The sweep runs every minute from the start and the clock moved whole minutes, so the
      // client leaves on a sweep: the one of minute 29 must keep the adapter, that of minute 30 close it.
      await client.close();
      await waitFor(() => clients.size === 0, 'the server to release the client');
      await advance(MAX_IDLE_MS - 1);
      assert.deepEqual([adapters.count, adapter.status()], [1, 'connected'], 'idle a millisecond too short');
      await advance(1);
      assert.deepEqual([adapters.count, adapter.status()], [0, 'closed'], 'idle for BROKER_ADAPTER_MAX_IDLE');
    } finally {
      await gateway.close();
    }
  });

  it('the idle sweep keeps an adapter nobody holds while idle a millisecond short of BROKER_ADAPTER_MAX_IDLE', async () => {
    const { gateway, advance, client, adapter } = await heldAdapter();
    const { adapters, clients } = gateway.parts;
    try {
      // The client leaves a millisecond after the sweep of minute 0, so the sweep of minute 30
      // finds the adapter idle a millisecond short, and the one of minute 31 closes it.
      await advance(1);
      await client.close();
      await waitFor(() => clients.size === 0, 'the server to release the client');
      await advance(MAX_IDLE_MS - 1);
      assert.deepEqual([adapters.count, adapter.status()], [1, 'connected'], 'idle a millisecond too short');
      await advance(SWEEP_INTERVAL_MS);
      assert.deepEqual([adapters.count, adapter.status()], [0, 'closed']);
    } finally {
      await gateway.close();
    }
  });

  it('the idle-adapters memory cleanup never closes an adapter with a live client', async () => {
    const { gateway } = await startTestGateway({
      ...MONITOR_OUT_OF_THE_WAY,
      BROKER_ADAPTER_CLEANUP_DELAY: NEVER,
    });
    const { adapters, clients, monitor } = gateway.parts;
    const idleAdaptersFreed = async () => {
      const report = await monitor.forceCleanup('test');
      const result = report.results.find((r) => r.name === 'idle-adapters');
      assert.ok(result?.ok, 'the idle-adapters cleanup ran');
      return result.freed;
    };
    try {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT']);
      const adapter = liveSimAdapter(gateway);

      assert.equal(await idleAdaptersFreed(), 0);
      assert.equal(liveSimAdapter(gateway), adapter);
      assert.equal(adapter.status(), 'connected');
      const since = Date.now();
      await client.next(marketDataOf('BTC/USDT', since), 5000, 'a fresh BTC/USDT tick');

      await client.close();
      await waitFor(() => clients.size === 0, 'the server to release the client');
      assert.equal(await idleAdaptersFreed(), 1, 'an adapter nobody holds is closed by the cleanup');
      assert.equal(adapters.count, 0);
      assert.equal(adapter.status(), 'closed');
    } finally {
      await gateway.close();
    }
  });

  it('cleanup_orphaned unsubscribes orphaned symbols upstream and keeps those other clients hold', async () => {
    const { gateway } = await startTestGateway({
      ...MONITOR_OUT_OF_THE_WAY,
      BROKER_ADAPTER_CLEANUP_DELAY: NEVER,
    });
    const { topics } = gateway.parts;
    try {
      const leaving = await connectAuthenticated(gateway);
      const staying = await connectAuthenticated(gateway, TEST_API_KEYS[1]);
      await subscribe(leaving, ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], { mode: 2 });
      await subscribe(staying, ['SOL/USDT'], { mode: 1 });
      const adapter = liveSimAdapter(gateway);
      const lastTicks = gateway.parts.adapters.live('SIM')?.lastTicks;
      await waitFor(() => lastTicks?.size === 3, 'a last tick of each symbol');

      await unsubscribe(leaving, ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
      // Orphans stay subscribed upstream until the cleanup, so a quick return finds them warm.
      assert.deepEqual(sorted(adapter.subscribedSymbols()), ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
      assert.equal(topics.orphaned, 2);

      const reply = await adminRequest(staying, 'cleanup_orphaned');
      assert.equal(reply.type, 'cleanup_result', JSON.stringify(reply));
      const data = reply.data as Record<string, number>;
      assert.deepEqual(
        [data.orphaned_topics_found, data.broker_unsubscriptions, data.cleaned_count],
        [2, 2, 2],
      );
      assert.deepEqual(adapter.subscribedSymbols(), ['SOL/USDT']);
      assert.deepEqual([topics.size, topics.orphaned], [1, 0]);
      await staying.next(marketDataOf('SOL/USDT', Date.now()), 5000, 'a fresh SOL/USDT tick');
      // The last ticks of the symbols unsubscribed upstream are dropped with them.
      assert.deepEqual(sorted([...(lastTicks?.keys() ?? [])]), ['SOL/USDT']);

      // Resubscribing a cleaned symbol subscribes it upstream again: ticks newer than the
      // request can only come from there (no last tick of it is kept).
      const since = Date.now();
      await subscribe(leaving, ['BTC/USDT'], { mode: 2 });
      assert.ok(adapter.subscribedSymbols().includes('BTC/USDT'));
      await leaving.next(marketDataOf('BTC/USDT', since), 5000, 'a fresh BTC/USDT tick');
    } finally {
      await gateway.close();
    }
  });

  it('the periodic orphan job unsubscribes orphaned symbols upstream by itself, every WEBSOCKET_CLEANUP_INTERVAL', async () => {
    const { gateway, advance } = await startClockedGateway({
      ...MONITOR_OUT_OF_THE_WAY,
      BROKER_ADAPTER_CLEANUP_DELAY: NEVER,
    });
    const { topics } = gateway.parts;
    try {
      const leaving = await connectAuthenticated(gateway);
      const staying = await connectAuthenticated(gateway, TEST_API_KEYS[1]);
      await subscribe(leaving, ['BTC/USDT', 'ETH/USDT'], { mode: 3 });
      await subscribe(staying, ['ETH/USDT'], { mode: 2 });
      const adapter = liveSimAdapter(gateway);

      await unsubscribe(leaving, ['BTC/USDT', 'ETH/USDT']);
      // The job's first run is one interval after the start; the clock has not moved since.
      await advance(ORPHAN_INTERVAL_MS - 1);
      assert.deepEqual(
        sorted(adapter.subscribedSymbols()),
        ['BTC/USDT', 'ETH/USDT'],
        'kept warm until the job',
      );
      assert.equal(topics.orphaned, 1);
      await advance(1);
      await waitFor(
        () => !adapter.subscribedSymbols().includes('BTC/USDT'),
        'the orphan job to unsubscribe BTC/USDT upstream',
      );
      assert.deepEqual(adapter.subscribedSymbols(), ['ETH/USDT']);
      assert.deepEqual([topics.size, topics.orphaned], [1, 0]);
      await staying.next(marketDataOf('ETH/USDT', Date.now()), 5000, 'a fresh ETH/USDT tick');
    } finally {
      await gateway.close();
    }
  });
});
