import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  LifecycleError,
  LifecycleErrorCode,
  silentLogger,
  StructureRegistry,
  type Logger,
} from '@steadystate/lifecycle';
import type { ExchangeClient, ExchangeKey } from '../../src/exchanges/exchange-client.js';
import { exchangeClientFactory } from '../../src/exchanges/exchange-client-factory.js';
import { ExchangeManager } from '../../src/exchanges/exchange-manager.js';
import { SimExchangeClient } from '../../src/exchanges/sim-exchange-client.js';
import { SimMarket } from '../../src/upstream/sim/sim-market.js';

const HOUR = 3_600_000;
const market = new SimMarket({ symbolCount: 10 });

function key(overrides: Partial<ExchangeKey> = {}): ExchangeKey {
  return { exchange: 'SIM', testnet: false, contractType: 'spot', access: 'public', ...overrides };
}

/** A logger that keeps its error lines, to check that a failure was reported. */
function recordingLogger(): Logger & { errors: { context: object; message: string }[] } {
  const errors: { context: object; message: string }[] = [];
  return { ...silentLogger, errors, error: (context, message) => void errors.push({ context, message }) };
}

/**
 * A manager over the gateway's own client factory (real simulated-exchange clients), with the
 * idle sweep an hour away so only the calls under test close anything. Closed by `await using`.
 */
function manager(
  options: {
    createClient?: (key: ExchangeKey) => ExchangeClient | Promise<ExchangeClient>;
    logger?: Logger;
  } = {},
) {
  const exchanges = new ExchangeManager({
    createClient: options.createClient ?? exchangeClientFactory(market, silentLogger),
    maxIdleMs: HOUR,
    sweepIntervalMs: HOUR,
    structures: new StructureRegistry(),
    logger: options.logger ?? silentLogger,
  });
  return Object.assign(exchanges, { [Symbol.asyncDispose]: () => exchanges.close() });
}

/** True once the client refuses to serve: it was closed. */
async function isClosed(client: ExchangeClient): Promise<boolean> {
  try {
    await client.fetchCandles('BTC/USDT', '1h', 1);
    return false;
  } catch {
    return true;
  }
}

describe('ExchangeManager', () => {
  it('keeps one client per (exchange, testnet, contract type, access) and hands it to every user of the key', async () => {
    await using exchanges = manager();
    const keys = [false, true].flatMap((testnet) =>
      (['spot', 'swap', 'future'] as const).map((contractType) => key({ testnet, contractType })),
    );
    const clients = [];
    for (const k of keys) {
      const lease = await exchanges.acquire(k);
      clients.push(lease.resource);
      lease.release();
    }
    assert.equal(new Set(clients).size, 6);
    const again = await exchanges.withClient(key({ testnet: true, contractType: 'swap' }), (c) =>
      Promise.resolve(c),
    );
    assert.equal(again, clients[4]);
    const stats = exchanges.stats();
    assert.deepEqual([stats.clients, stats.created, stats.leases], [6, 6, 0]);
    assert.deepEqual(
      stats.entries.map((e) => e.key).sort(),
      keys.map((k) => `SIM:${k.testnet ? 'testnet' : 'live'}:${k.contractType}:public`).sort(),
    );
  });

  it('refuses an authenticated client without credentials, leaving nothing behind', async () => {
    await using exchanges = manager();
    await assert.rejects(exchanges.acquire(key({ access: 'authenticated' })), (error: unknown) => {
      assert.ok(error instanceof LifecycleError && error.code === LifecycleErrorCode.FACTORY_FAILED);
      assert.ok(error.cause instanceof Error, 'the reason is passed on');
      return true;
    });
    assert.deepEqual([exchanges.stats().clients, exchanges.stats().factory_errors], [0, 1]);
    assert.ok(
      await exchanges.withClient(key(), () => Promise.resolve(true)),
      'the public client still works',
    );
  });

  it('withClient holds a lease only while the use runs, also when the use throws', async () => {
    await using exchanges = manager();
    const candles = await exchanges.withClient(key(), async (client) => {
      assert.equal(exchanges.stats().leases, 1);
      return client.fetchCandles('BTC/USDT', '1h', 3);
    });
    assert.equal(candles.length, 3);
    assert.equal(exchanges.stats().leases, 0);

    const failure = new Error('the use failed');
    await assert.rejects(
      exchanges.withClient(key(), () => Promise.reject(failure)),
      (error) => error === failure,
    );
    assert.deepEqual([exchanges.stats().leases, exchanges.stats().clients], [0, 1]);
  });

  it('closeExchange closes an unused client at once and a used one when its last user is done', async () => {
    await using exchanges = manager();
    const unused = await exchanges.withClient(key(), (c) => Promise.resolve(c));
    assert.deepEqual(await exchanges.closeExchange('SIM', false, 'spot'), ['closed', 'absent']);
    assert.ok(await isClosed(unused));
    assert.equal(exchanges.stats().clients, 0);

    const lease = await exchanges.acquire(key());
    assert.deepEqual(await exchanges.closeExchange('SIM', false, 'spot', 'public'), ['draining']);
    assert.equal(await isClosed(lease.resource), false, 'its user can finish');
    const fresh = await exchanges.withClient(key(), (c) => Promise.resolve(c));
    assert.notEqual(fresh, lease.resource, 'newcomers get a new client');
    lease.release();
    assert.ok(await isClosed(lease.resource));
    assert.equal(await isClosed(fresh), false);
    assert.deepEqual([exchanges.stats().closed, exchanges.stats().leases], [2, 0]);
  });

  it('cleanupUnusedExchanges closes only clients nobody holds that have been idle longer than the age', async () => {
    await using exchanges = manager();
    const old = await exchanges.withClient(key({ contractType: 'spot' }), (c) => Promise.resolve(c));
    const held = await exchanges.acquire(key({ contractType: 'swap' }));
    const idleSince =
      exchanges.stats().entries.find((e) => e.key.endsWith(':spot:public'))?.last_used_at ?? 0;
    await sleep(Math.max(0, idleSince + 400 - Date.now()));
    // Used just now: idle for no time at all when the cleanup runs.
    const recent = await exchanges.withClient(key({ contractType: 'future' }), (c) => Promise.resolve(c));

    assert.equal(await exchanges.cleanupUnusedExchanges(300 / HOUR), 1);
    assert.ok(await isClosed(old));
    assert.equal(await isClosed(recent), false);

    // Age 0: every client nobody holds, but never the one in use, however long it has been held.
    assert.equal(await exchanges.cleanupUnusedExchanges(0), 1);
    assert.ok(await isClosed(recent));
    assert.equal(await isClosed(held.resource), false);
    held.release();
    assert.equal(await exchanges.cleanupUnusedExchanges(0), 1);
    assert.ok(await isClosed(held.resource));
    assert.equal(exchanges.stats().clients, 0);
  });

  it('logs a close that throws and removes the client all the same', async () => {
    class BrokenOnClose extends SimExchangeClient {
      override close(): Promise<void> {
        return Promise.reject(new Error('connection already reset'));
      }
    }
    const logger = recordingLogger();
    await using exchanges = manager({ createClient: (k) => new BrokenOnClose(k, market), logger });
    await exchanges.withClient(key(), () => Promise.resolve());
    assert.deepEqual(await exchanges.closeExchange('SIM', false, 'spot'), ['closed', 'absent']);
    assert.deepEqual([exchanges.stats().clients, exchanges.stats().close_errors], [0, 1]);
    assert.equal(logger.errors.length, 1);
    assert.deepEqual((logger.errors[0]?.context as { key?: string }).key, 'SIM:live:spot:public');

    await exchanges.withClient(key(), () => Promise.resolve());
    assert.equal(await exchanges.cleanupUnusedExchanges(0), 1);
    assert.deepEqual([exchanges.stats().clients, exchanges.stats().close_errors], [0, 2]);
  });

  it('close() closes every client, in use or not, and may be called twice', async () => {
    const exchanges = manager();
    const idle = await exchanges.withClient(key(), (c) => Promise.resolve(c));
    const held = await exchanges.acquire(key({ testnet: true }));
    await exchanges.close();
    await exchanges.close();
    assert.ok((await isClosed(idle)) && (await isClosed(held.resource)));
    held.release();
    assert.deepEqual([exchanges.stats().clients, exchanges.stats().leases], [0, 0]);
    await assert.rejects(
      exchanges.acquire(key()),
      (error) => error instanceof LifecycleError && error.code === LifecycleErrorCode.CLOSED,
    );
  });
});
