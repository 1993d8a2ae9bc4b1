import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import type { Gateway } from '../../src/gateway.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { CloseCode } from '../../src/ws/close-codes.js';
import { FAST_SIM } from '../support/gateway-session.js';
import {
  adminRequest,
  connectAuthenticated,
  liveSimAdapter,
  marketDataOf,
  subscribe,
  unsubscribe,
} from '../support/market-session.js';
import { adjustableMemory } from '../support/memory-reading.js';
import { startTestGateway } from '../support/test-gateway.js';
import { TestClient } from '../support/ws-client.js';

/** OK below 100 MB, WARNING from 100, HIGH (cleanup) from 200, CRITICAL from 300; sampled every 50 ms. */
const LEVELS = {
  ...FAST_SIM,
  WARNING_MEMORY_MB: '100',
  CLEANUP_MEMORY_MB: '200',
  MAX_MEMORY_MB: '300',
  MEMORY_CHECK_INTERVAL: '0.05',
  BROKER_ADAPTER_CLEANUP_DELAY: '3600',
} as const;

/** A gateway whose monitor reads the RSS the test sets, starting at `rssMb`. */
async function gatewayWithMemory(rssMb: number) {
  const memory = adjustableMemory(rssMb);
  const { gateway } = await startTestGateway(LEVELS, { readMemory: memory.read });
  return { gateway, memory };
}

/** Connects, and expects the refusal of a shedding gateway: SERVER_OVERLOADED, then close code 1013. */
async function assertRefused(gateway: Gateway): Promise<void> {
  const client = await TestClient.connect(gateway.wsUrl);
  const error = await client.next((m) => m.type === 'error', 5000, 'the refusal');
  assert.equal(error.code, ErrorCode.SERVER_OVERLOADED);
  assert.equal((await client.closed).code, CloseCode.TRY_AGAIN_LATER);
}

/** The status of GET /healthz and the fields of its body. */
async function health(
  gateway: Gateway,
): Promise<{ status: number; body: { status: string; memory: string } }> {
  const response = await fetch(`${gateway.url}/healthz`);
  return { status: response.status, body: (await response.json()) as { status: string; memory: string } };
}

/** What the named callback freed in a cleanup report; fails when it did not run cleanly. */
function freedBy(results: readonly { name: string; ok: boolean; freed: number }[], name: string): number {
  const result = results.find((r) => r.name === name);
  assert.ok(result, `${name} ran`);
  assert.ok(result.ok, `${name} succeeded`);
  return result.freed;
}

describe('memory pressure', () => {
  it('at CRITICAL sheds new connections (1013) and answers /healthz 503 until memory is under the cleanup level', async () => {
    const { gateway, memory } = await gatewayWithMemory(50);
    const { monitor } = gateway.parts;
    try {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT']);

      memory.setRssMb(350);
      await waitFor(() => monitor.level === 'CRITICAL', 'the CRITICAL level');
      await assertRefused(gateway);
      const overloaded = await health(gateway);
      assert.deepEqual(
        [overloaded.status, overloaded.body.status, overloaded.body.memory],
        [503, 'overloaded', 'CRITICAL'],
      );
      // A client already connected keeps its data, and can still subscribe and be answered.
      await client.next(marketDataOf('BTC/USDT', Date.now()), 5000, 'a fresh BTC/USDT tick');
      await subscribe(client, ['ETH/USDT']);
      await client.next(marketDataOf('ETH/USDT', Date.now()), 5000, 'a fresh ETH/USDT tick');
      assert.equal((await client.request({ action: 'ping' }, 'pong')).status, 'success');

      // Down to HIGH is not enough: shedding lasts until memory is under the cleanup level.
      memory.setRssMb(250);
      await waitFor(() => monitor.level === 'HIGH', 'the HIGH level');
      await assertRefused(gateway);
      assert.equal((await health(gateway)).status, 503);

      memory.setRssMb(150);
      await waitFor(() => !monitor.shedding, 'the end of shedding');
      const accepted = await connectAuthenticated(gateway);
      await subscribe(accepted, ['BTC/USDT']);
      assert.equal((await health(gateway)).status, 200);
      assert.equal(gateway.stats().connections.refused_overloaded, 2);
    } finally {
      await gateway.close();
    }
  });

  it('reaching CRITICAL runs the cleanup callbacks, which free orphans and cache entries but nothing in use', async () => {
    const { gateway, memory } = await gatewayWithMemory(50);
    const { monitor } = gateway.parts;
    try {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT', 'ETH/USDT'], { mode: 3 });
      await client.next(marketDataOf('ETH/USDT'), 5000, 'an ETH/USDT tick');
      await unsubscribe(client, ['ETH/USDT']);
      const adapter = liveSimAdapter(gateway);
      assert.equal(monitor.stats().cleanup.runs, 0);

      memory.setRssMb(350);
      await waitFor(() => monitor.stats().cleanup.runs === 1, 'the cleanup at CRITICAL');
      const report = monitor.stats().cleanup.last;
      assert.ok(report);
      assert.deepEqual([report.level, report.trigger, report.errors], ['CRITICAL', 'level', 0]);
      assert.equal(freedBy(report.results, 'orphaned-symbols'), 1);
      assert.equal(freedBy(report.results, 'idle-adapters'), 0, 'the adapter in use is kept');
      // Aggressive at CRITICAL: both symbol lookups and BTC/USDT's last tick at least (the orphan's
      // last tick went with its upstream subscription).
      assert.ok(freedBy(report.results, 'cache-trims') >= 3);
      freedBy(report.results, 'ring-buffer');

      assert.deepEqual(
        adapter.subscribedSymbols(),
        ['BTC/USDT'],
        'the orphan went upstream, not the live one',
      );
      assert.equal(liveSimAdapter(gateway), adapter);
      await client.next(marketDataOf('BTC/USDT', Date.now()), 5000, 'a fresh BTC/USDT tick');
      const stats = (await adminRequest(client, 'get_stats')).data as { cleanup: { runs: number } };
      assert.equal(stats.cleanup.runs, 1);
    } finally {
      await gateway.close();
    }
  });

  it('force_memory_cleanup runs every callback at any level and reports what each freed', async () => {
    const { gateway } = await gatewayWithMemory(50);
    try {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT', 'SOL/USDT']);
      await unsubscribe(client, ['SOL/USDT']);
      const adapter = liveSimAdapter(gateway);

      const reply = await adminRequest(client, 'force_memory_cleanup');
      assert.equal(reply.type, 'memory_cleanup_result', JSON.stringify(reply));
      const data = reply.data as {
        actions_taken: { action: string; ok: boolean; freed: number }[];
        errors: number;
      };
      const actions = data.actions_taken.map((a) => ({ name: a.action, ok: a.ok, freed: a.freed }));
      const registered = gateway.parts.monitor.stats().cleanup.callbacks.map((c) => c.name);
      assert.deepEqual(
        actions.map((a) => a.name),
        registered,
        'every registered callback ran, in priority order, though memory is OK',
      );
      for (const name of [
        'orphaned-symbols',
        'idle-adapters',
        'client-metrics',
        'cache-trims',
        'ring-buffer',
      ]) {
        assert.ok(registered.includes(name), `${name} is registered`);
      }
      assert.equal(data.errors, 0);
      assert.equal(freedBy(actions, 'orphaned-symbols'), 1);
      assert.equal(freedBy(actions, 'idle-adapters'), 0);
      assert.ok(freedBy(actions, 'cache-trims') >= 2);
      assert.deepEqual(adapter.subscribedSymbols(), ['BTC/USDT']);
      assert.equal(gateway.parts.monitor.stats().cleanup.last?.trigger, 'manual');
      await client.next(marketDataOf('BTC/USDT', Date.now()), 5000, 'a fresh BTC/USDT tick');
    } finally {
      await gateway.close();
    }
  });
});
