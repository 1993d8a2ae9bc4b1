import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withGateway } from '../support/gateway-session.js';
import {
  adminRequest,
  connectAuthenticated,
  liveSimAdapter,
  subscribe,
  unsubscribe,
} from '../support/market-session.js';
import { TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient } from '../support/ws-client.js';

type Json = Record<string, unknown>;

/** Asserts `value` is an object whose listed keys all hold numbers. */
function assertNumbers(value: unknown, keys: readonly string[], where: string): void {
  assert.equal(typeof value, 'object', where);
  for (const key of keys) assert.equal(typeof (value as Json)[key], 'number', `${where}.${key}`);
}

describe('get_stats over WebSocket', () => {
  it('answers the stats of SPEC section 4 with the fields typed as documented', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT'], { mode: 2 });
      const reply = await adminRequest(client, 'get_stats');
      assert.equal(reply.type, 'stats');
      const data = reply.data as Json;
      for (const key of [
        'ring_buffer',
        'clients',
        'subscriptions',
        'memory',
        'cleanup',
        'broker_adapters',
        'caches',
        'structures',
        'tasks',
        'jobs',
      ]) {
        assert.ok(key in data, `stats lack ${key}`);
      }
      assertNumbers(
        data.ring_buffer,
        ['size', 'count', 'utilization', 'published_count', 'consumed_count', 'dropped_count'],
        'ring_buffer',
      );
      assertNumbers(data.clients, ['count'], 'clients');
      assertNumbers(data.subscriptions, ['symbols', 'orphaned'], 'subscriptions');
      assertNumbers(data.cleanup, ['runs', 'errors'], 'cleanup');
      assert.ok('last' in (data.cleanup as Json), 'cleanup.last');
      assertNumbers(data.broker_adapters, ['count'], 'broker_adapters');
      const memory = data.memory as Json;
      assertNumbers(memory.current, ['rss', 'heap_used'], 'memory.current');
      assert.equal(typeof memory.thresholds, 'object');
      assert.ok(['OK', 'WARNING', 'HIGH', 'CRITICAL'].includes(String(memory.status)), 'memory.status');
      assert.ok(Array.isArray(memory.history), 'memory.history');
      const caches = data.caches as Json;
      for (const name of ['symbol_cache', 'market_data:SIM']) assert.ok(name in caches, `caches.${name}`);
      for (const [name, cache] of Object.entries(caches)) {
        assertNumbers(cache, ['size', 'capacity', 'hits', 'misses', 'evictions'], `caches.${name}`);
      }
      assert.ok(Array.isArray(data.structures), 'structures');
      assert.equal(typeof data.tasks, 'object');
      assert.equal(typeof data.jobs, 'object');
      // The numbers describe this gateway: one client, one symbol, one adapter.
      assert.equal((data.clients as Json).count, 1);
      assert.equal((data.subscriptions as Json).symbols, 1);
      assert.equal((data.broker_adapters as Json).count, 1);
    }));

  it('answers an admin before it authenticates, and never shows a user id or api key', () =>
    withGateway({}, async (gateway) => {
      const users = await Promise.all(TEST_API_KEYS.map((key) => connectAuthenticated(gateway, key)));
      const ids = await Promise.all(
        users.map(async (user) => (await user.request({ action: 'get_broker_info' }, 'broker_info')).user_id),
      );
      const admin = await TestClient.connect(gateway.wsUrl);
      const text = JSON.stringify(await adminRequest(admin, 'get_stats'));
      assert.ok(text.includes('"type":"stats"'), text.slice(0, 200));
      for (const secret of [...ids, ...TEST_API_KEYS]) assert.ok(!text.includes(String(secret)), 'leaks');
    }));
});

describe('cleanup_orphaned over WebSocket', () => {
  it('unsubscribes upstream the symbols nobody holds, and reports what it did', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT', 'ETH/USDT']);
      await unsubscribe(client, ['BTC/USDT']);
      // Orphaned, not gone: still subscribed upstream until the cleanup runs.
      assert.deepEqual([...liveSimAdapter(gateway).subscribedSymbols()].sort(), ['BTC/USDT', 'ETH/USDT']);

      const reply = await adminRequest(client, 'cleanup_orphaned');
      assert.equal(reply.type, 'cleanup_result');
      const data = reply.data as Json;
      assert.deepEqual(Object.keys(data).sort(), [
        'broker_unsubscriptions',
        'cleaned_count',
        'cleanup_time',
        'orphaned_topics_found',
      ]);
      assert.deepEqual(
        [data.orphaned_topics_found, data.broker_unsubscriptions, data.cleaned_count],
        [1, 1, 1],
      );
      assert.equal(typeof data.cleanup_time, 'number');
      assert.deepEqual(liveSimAdapter(gateway).subscribedSymbols(), ['ETH/USDT']);

      const again = (await adminRequest(client, 'cleanup_orphaned')).data as Json;
      assert.equal(again.orphaned_topics_found, 0);
    }));
});

describe('force_memory_cleanup over WebSocket', () => {
  it("runs the gateway's cleanup callbacks, whatever the memory level, and reports each one", () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['SOL/USDT']);
      await unsubscribe(client, ['SOL/USDT']);
      const reply = await adminRequest(client, 'force_memory_cleanup');
      assert.equal(reply.type, 'memory_cleanup_result');
      const data = reply.data as Json;
      const actions = data.actions_taken as Json[];
      for (const action of actions) {
        assert.equal(typeof action.action, 'string');
        assert.equal(action.ok, true, JSON.stringify(action));
        assertNumbers(action, ['freed', 'duration_ms'], `actions_taken ${String(action.action)}`);
      }
      const byName = new Map(actions.map((a) => [a.action, a]));
      for (const name of [
        'orphaned-symbols',
        'idle-adapters',
        'client-metrics',
        'cache-trims',
        'ring-buffer',
      ]) {
        assert.ok(byName.has(name), `${name} did not run`);
      }
      assert.equal(byName.get('orphaned-symbols')?.freed, 1, 'the orphaned SOL/USDT was cleaned');
      assertNumbers(data, ['total_freed', 'errors', 'duration_ms'], 'data');
      assert.ok(data.forced_gc === null || typeof data.forced_gc === 'object', 'forced_gc');
      assertNumbers(data.memory_before, ['rss', 'heap_used'], 'memory_before');
      assertNumbers(data.memory_after, ['rss', 'heap_used'], 'memory_after');
    }));
});
