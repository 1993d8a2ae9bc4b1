import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { trackTimers, waitFor } from '@steadystate/lifecycle/testing';
import { CloseCode } from '../../src/ws/close-codes.js';
import { FAST_SIM } from '../support/gateway-session.js';
import { connectAuthenticated, MONITOR_OUT_OF_THE_WAY, subscribe } from '../support/market-session.js';
import { spawnGateway } from '../support/spawn-gateway.js';
import { startTestGateway, TEST_ADMIN_TOKEN, TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient } from '../support/ws-client.js';

/** pino's level number for error: any line at or above it means a step of the shutdown failed. */
const PINO_ERROR = 50;

describe('shutdown', () => {
  it('on SIGTERM the process closes every client with 1001 and exits 0 by itself', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'steadystate-shutdown-'));
    const spawned = await spawnGateway({
      ...FAST_SIM,
      API_KEYS: TEST_API_KEYS.join(','),
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      DATA_DIR: dataDir,
    });
    try {
      const wsUrl = spawned.url.replace(/^http/, 'ws');
      const clients = await Promise.all(
        ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'].map(async (symbol, i) => {
          const client = await connectAuthenticated({ wsUrl }, TEST_API_KEYS[i % 2]);
          await subscribe(client, [symbol], { mode: 2 });
          await client.next((m) => m.type === 'market_data', 5000, `a ${symbol} tick`);
          return client;
        }),
      );

      spawned.child.kill('SIGTERM');
      const closes = await Promise.all(clients.map((client) => client.closed));
      assert.deepEqual(
        closes.map((c) => c.code),
        clients.map(() => CloseCode.GOING_AWAY),
      );
      // Exit code 0 and no signal: the process ran out of work and ended; the forced exit is 1.
      assert.deepEqual(await spawned.exited, { code: 0, signal: null });
      const entries = spawned.lines as { msg?: string; level?: number }[];
      assert.ok(
        entries.some((e) => e.msg === 'gateway stopped'),
        'the log says the gateway stopped',
      );
      const errors = entries.filter((e) => (e.level ?? 0) >= PINO_ERROR);
      assert.deepEqual(errors, [], 'no step of the shutdown failed');
    } finally {
      if (spawned.child.exitCode === null) spawned.child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('close() closes clients with 1001, can be called again, and leaves no timer or unclosed resource', async () => {
    const timers = trackTimers();
    try {
      const { gateway } = await startTestGateway({
        ...FAST_SIM,
        ...MONITOR_OUT_OF_THE_WAY,
        // Every periodic job of the quote side runs while the gateway is up.
        MEMORY_CHECK_INTERVAL: '0.05',
        WEBSOCKET_CLEANUP_INTERVAL: '0.05',
        BROKER_ADAPTER_MAX_IDLE: '60',
        // A teardown still pending at close must be cancelled with it.
        BROKER_ADAPTER_CLEANUP_DELAY: '3600',
      });
      const { leakTracker, adapters } = gateway.parts;
      const subscribed = await Promise.all(
        ['BTC/USDT', 'ETH/USDT'].map(async (symbol) => {
          const client = await connectAuthenticated(gateway);
          await subscribe(client, [symbol], { mode: 3 });
          return client;
        }),
      );
      // One client that never authenticates (its auth timer runs) and one SIM user that left.
      const unauthenticated = await TestClient.connect(gateway.wsUrl);
      const left = await connectAuthenticated(gateway, TEST_API_KEYS[1]);
      await subscribe(left, ['SOL/USDT']);
      await left.close();
      await waitFor(() => gateway.parts.clients.size === 3, 'the server to release the client that left');

      assert.ok(timers.live > 0, "the tracker sees the running gateway's timers");
      const { server } = gateway.parts.app;
      assert.equal(server.listenerCount('upgrade'), 1, 'the WebSocket server listens for upgrades');

      const first = gateway.close();
      const second = gateway.close();
      await Promise.all([first, second]);
      await gateway.close();

      const closes = await Promise.all([...subscribed, unauthenticated].map((client) => client.closed));
      assert.deepEqual(
        closes.map((c) => c.code),
        [CloseCode.GOING_AWAY, CloseCode.GOING_AWAY, CloseCode.GOING_AWAY],
      );
      await waitFor(() => timers.live === 0, 'every timer to be cleared');
      assert.equal(server.listenerCount('upgrade'), 0, 'the upgrade listener is gone with it');
      assert.equal(adapters.count, 0);
      const leaks = leakTracker.stats();
      // Four clients and one adapter were tracked; every one was closed, none collected unclosed.
      assert.deepEqual([leaks.tracked, leaks.closed, leaks.leaked], [5, 5, 0]);
      await assert.rejects(fetch(`${gateway.url}/healthz`), 'the port no longer accepts connections');
    } finally {
      timers.stop();
    }
  });
});
