import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@steadystate/lifecycle/testing';
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

/** Long enough that no teardown happens unless the test waits for it. */
const NEVER = '3600';
const sorted = (symbols: readonly string[]) => [...symbols].sort();

describe('adapter lifecycle', () => {
  it('tears the adapter down BROKER_ADAPTER_CLEANUP_DELAY after its last client leaves, not before', async () => {
    const delayMs = 1500;
    const { gateway } = await startTestGateway({
      ...MONITOR_OUT_OF_THE_WAY,
      BROKER_ADAPTER_CLEANUP_DELAY: String(delayMs / 1000),
    });
    const { adapters, clients } = gateway.parts;
    try {
      const first = await connectAuthenticated(gateway);
      const last = await connectAuthenticated(gateway, TEST_API_KEYS[1]);
      await subscribe(first, ['BTC/USDT']);
      await subscribe(last, ['BTC/USDT', 'ETH/USDT']);
      const adapter = liveSimAdapter(gateway);

      await first.close();
      await waitFor(() => clients.size === 1, 'the server to release the first client');
      assert.equal(adapters.stats().closesScheduled, 0, 'a client still holds the adapter');

      const leftAt = Date.now();
      await last.close();
      await waitFor(() => clients.size === 0, 'the server to release the last client');
      // Watched for a third of the delay: the teardown is pending, not done. A reading counts only
      // when the clock, read after it, shows the delay had not run out (a stalled machine skips it).
      while (Date.now() < leftAt + delayMs / 3) {
        const state = [adapters.count, adapters.stats().closesScheduled, adapter.status()];
        if (Date.now() < leftAt + delayMs) assert.deepEqual(state, [1, 1, 'connected']);
        await sleep(20);
      }

      await waitFor(() => adapters.count === 0, 'the delayed teardown');
      assert.equal(adapter.status(), 'closed');
      assert.deepEqual(adapter.subscribedSymbols(), []);
      assert.deepEqual([adapters.stats().created, adapters.stats().closed], [1, 1]);
    } finally {
      await gateway.close();
    }
  });

  it('cancels the teardown when a client comes back within the delay, keeping the same adapter', async () => {
    const delaySeconds = 1;
    const { gateway } = await startTestGateway({
      ...MONITOR_OUT_OF_THE_WAY,
      BROKER_ADAPTER_CLEANUP_DELAY: String(delaySeconds),
    });
    const { adapters } = gateway.parts;
    try {
      const leaving = await connectAuthenticated(gateway);
      // Connected and authenticated before, so that only its subscribe falls within the delay.
      const returning = await connectAuthenticated(gateway, TEST_API_KEYS[1]);
      await subscribe(leaving, ['BTC/USDT']);
      const adapter = liveSimAdapter(gateway);

      await leaving.close();
      await waitFor(() => adapters.stats().closesScheduled === 1, 'the teardown to be scheduled');
      await subscribe(returning, ['BTC/USDT']);
      assert.equal(adapters.stats().closesScheduled, 0, 'the new lease cancelled the teardown');

      // Past the deadline the first teardown had: still the same adapter, never closed.
      await sleep(delaySeconds * 1000 * 1.5);
      assert.equal(liveSimAdapter(gateway), adapter);
      assert.equal(adapter.status(), 'connected');
      assert.deepEqual([adapters.stats().created, adapters.stats().closed], [1, 0]);
      const since = Date.now();
      await returning.next(marketDataOf('BTC/USDT', since), 5000, 'a fresh BTC/USDT tick');
    } finally {
      await gateway.close();
    }
  });

  it('the idle sweep never closes an adapter with a live client, however long past BROKER_ADAPTER_MAX_IDLE', async () => {
    const { gateway } = await startTestGateway({
      ...MONITOR_OUT_OF_THE_WAY,
      BROKER_ADAPTER_MAX_IDLE: '0.05',
      BROKER_ADAPTER_CLEANUP_DELAY: NEVER,
    });
    const { adapters, clients } = gateway.parts;
    try {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT']);
      const adapter = liveSimAdapter(gateway);

      // The sweep runs every 50 ms: twenty times the idle limit gives it every chance.
      await sleep(1000);
      assert.equal(liveSimAdapter(gateway), adapter);
      assert.equal(adapter.status(), 'connected');
      const since = Date.now();
      await client.next(marketDataOf('BTC/USDT', since), 5000, 'a fresh BTC/USDT tick');

      // The same sweep does close it once nobody holds it: with the delay at an hour, only the sweep can.
      await client.close();
      await waitFor(() => clients.size === 0, 'the server to release the client');
      await waitFor(() => adapters.count === 0, 'the idle sweep to close the unleased adapter');
      assert.equal(adapter.status(), 'closed');
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

      // Resubscribing a cleaned symbol subscribes it upstream again: ticks newer than the
      // request can only come from there (the cached last tick is older).
      const since = Date.now();
      await subscribe(leaving, ['BTC/USDT'], { mode: 2 });
      assert.ok(adapter.subscribedSymbols().includes('BTC/USDT'));
      await leaving.next(marketDataOf('BTC/USDT', since), 5000, 'a fresh BTC/USDT tick');
    } finally {
      await gateway.close();
    }
  });

  it('the periodic orphan job unsubscribes orphaned symbols upstream by itself', async () => {
    const { gateway } = await startTestGateway({
      ...MONITOR_OUT_OF_THE_WAY,
      BROKER_ADAPTER_CLEANUP_DELAY: NEVER,
      WEBSOCKET_CLEANUP_INTERVAL: '0.2',
    });
    const { topics } = gateway.parts;
    try {
      const leaving = await connectAuthenticated(gateway);
      const staying = await connectAuthenticated(gateway, TEST_API_KEYS[1]);
      await subscribe(leaving, ['BTC/USDT', 'ETH/USDT'], { mode: 3 });
      await subscribe(staying, ['ETH/USDT'], { mode: 2 });
      const adapter = liveSimAdapter(gateway);

      await unsubscribe(leaving, ['BTC/USDT', 'ETH/USDT']);
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
