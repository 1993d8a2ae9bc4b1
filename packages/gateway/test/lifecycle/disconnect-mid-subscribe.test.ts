import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deferred, settle, waitFor } from '@steadystate/lifecycle/testing';
import { silentLogger } from '@steadystate/lifecycle';
import { ExchangeCatalog } from '../../src/upstream/exchange-catalog.js';
import { SimAdapter } from '../../src/upstream/sim/sim-adapter.js';
import type { DataLevel } from '../../src/domain/tick.js';
import { FAST_SIM } from '../support/gateway-session.js';
import { connectAuthenticated, MONITOR_OUT_OF_THE_WAY } from '../support/market-session.js';
import { startTestGateway } from '../support/test-gateway.js';

/**
 * The simulated exchange with a slow network in front of it: each upstream subscribe waits until
 * the test lets it through, as a real exchange's confirmation does. Everything else is the real
 * SimAdapter.
 */
function slowExchange() {
  const gate = deferred();
  const pending: string[] = [];
  class SlowSimAdapter extends SimAdapter {
    override async subscribe(symbol: string, level: DataLevel): Promise<void> {
      pending.push(symbol);
      await gate.promise;
      return super.subscribe(symbol, level);
    }
  }
  const catalog = new ExchangeCatalog([
    {
      exchange: 'SIM',
      broker: 'sim',
      create: (sink) => new SlowSimAdapter({ sink, ticksPerSecond: 20, logger: silentLogger }),
    },
  ]);
  return { catalog, pending, open: () => gate.resolve() };
}

describe('a client that leaves while its subscribe is in flight', () => {
  it('leaves no subscription, lease or adapter behind', async () => {
    const exchange = slowExchange();
    const { gateway } = await startTestGateway(
      { ...FAST_SIM, ...MONITOR_OUT_OF_THE_WAY, BROKER_ADAPTER_CLEANUP_DELAY: '0.1' },
      { catalog: exchange.catalog },
    );
    const { adapters, clients, topics } = gateway.parts;
    try {
      const client = await connectAuthenticated(gateway);
      const subscribeTo = (symbols: string[]) =>
        client.send({ action: 'subscribe', symbols: symbols.map((symbol) => ({ symbol, exchange: 'SIM' })) });
      // The second symbol waits behind the first in the same request, the third in a queued message.
      subscribeTo(['BTC/USDT', 'ETH/USDT']);
      subscribeTo(['SOL/USDT']);
      await waitFor(() => exchange.pending.length === 1, 'the first upstream subscribe to be under way');

      client.ws.terminate();
      await waitFor(() => clients.size === 0, 'the server to release the client');
      exchange.open();
      await settle();

      assert.deepEqual([topics.subscriptions, topics.active], [0, 0], 'no subscription outlives its client');
      assert.equal(adapters.stats().leases, 0, 'no lease outlives its client');
      await waitFor(() => adapters.count === 0, 'the adapter teardown after the delay');
    } finally {
      await gateway.close();
    }
  });
});
