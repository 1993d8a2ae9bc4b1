import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@steadystate/lifecycle';
import { assertNoLeak, collectGarbage, waitFor } from '@steadystate/lifecycle/testing';
import type { Gateway } from '../../src/gateway.js';
import type { ClientConnection } from '../../src/ws/client-connection.js';
import {
  adminRequest,
  connectAuthenticated,
  liveSimAdapter,
  marketDataOf,
  MONITOR_OUT_OF_THE_WAY,
  simSymbols,
  subscribe,
  unsubscribe,
  type Mode,
} from '../support/market-session.js';
import { startTestGateway, TEST_API_KEYS } from '../support/test-gateway.js';

/** Symbols the clients draw from: few enough that topics are shared, orphaned and taken up again. */
const POOL_SIZE = 40;
const WAVES = 20;
const CLIENTS_PER_WAVE = 100;
/** Clients per round of the leak check: 20 make a round of a few hundred milliseconds. */
const ROUND_SIZE = 20;
/** Enough ticks that every new subscriber sees one within a few step intervals. */
const CHURN_ENV = {
  ...MONITOR_OUT_OF_THE_WAY,
  SIM_SYMBOLS: String(POOL_SIZE),
  SIM_TICKS_PER_SECOND: '20',
} as const;

/** The structures the quote side registers that hold something per client, topic or adapter. */
const QUOTE_STRUCTURES = [
  'clients',
  'topics',
  'topic-locks',
  'broker-adapters',
  'market-data-caches',
  'upstream-subscriptions',
  'leak-tracker',
  'ring-buffer',
];

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  assert.ok(item !== undefined);
  return item;
}

/**
 * One client's visit, as dashboards and bots make them: connect, authenticate, subscribe to one
 * to four random symbols at a random mode (and depth), read market data, sometimes unsubscribe
 * one, and leave: cleanly, by cutting the connection, or by cutting it right after sending a
 * subscribe (before the reply). `seen` is called while the client is subscribed.
 */
async function visit(gateway: Gateway, pool: readonly string[], random: Random, seen: () => void) {
  const client = await connectAuthenticated(gateway, pick(random, TEST_API_KEYS));
  const symbols = [
    ...new Set(Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(random, pool))),
  ];
  const mode = (1 + Math.floor(random() * 3)) as Mode;
  const depth = mode === 3 ? 1 + Math.floor(random() * 20) : undefined;
  const exit = random();
  if (exit < 0.1) {
    client.send({
      action: 'subscribe',
      symbols: symbols.map((symbol) => ({ symbol, exchange: 'SIM' })),
      mode,
    });
    client.ws.terminate();
    await client.closed;
    return;
  }
  await subscribe(client, symbols, { mode, ...(depth === undefined ? {} : { depth }) });
  seen();
  await client.next((m) => m.type === 'market_data', 5000, 'market data');
  if (random() < 0.5) await unsubscribe(client, symbols.slice(0, 1));
  if (exit < 0.55) {
    await client.close();
  } else {
    client.ws.terminate();
    await client.closed;
  }
}

describe('client churn', () => {
  it(`${WAVES * CLIENTS_PER_WAVE} clients in waves of ${CLIENTS_PER_WAVE} leave nothing behind`, async () => {
    const { gateway, config } = await startTestGateway({ ...CHURN_ENV, BROKER_ADAPTER_CLEANUP_DELAY: '0.5' });
    const { adapters, clients, topics, leakTracker, monitor } = gateway.parts;
    const pool = simSymbols(config);
    const random = seededRandom(20_240_601);
    // Weak references to every server-side client seen: whatever still holds one after the
    // churn (a map, a closure, a timer) keeps it from being collected.
    const serverClients = new Map<string, WeakRef<ClientConnection>>();
    const remember = () => {
      for (const client of clients.values()) {
        if (!serverClients.has(client.id)) serverClients.set(client.id, new WeakRef(client));
      }
    };
    try {
      // A dashboard that stays through the churn, on a symbol the visitors share.
      const watcher = await connectAuthenticated(gateway);
      const watched = pool[0] ?? '';
      await subscribe(watcher, [watched]);
      const adapter = liveSimAdapter(gateway);

      for (let wave = 0; wave < WAVES; wave++) {
        await Promise.all(
          Array.from({ length: CLIENTS_PER_WAVE }, () => visit(gateway, pool, random, remember)),
        );
      }
      await waitFor(() => clients.size === 1, 'the server to release every visitor', 10_000);
      assert.equal(clients.behind.size, 0);
      assert.deepEqual([topics.subscriptions, topics.active], [1, 1], "only the watcher's subscription");
      assert.ok(serverClients.size > WAVES * CLIENTS_PER_WAVE * 0.8, `saw ${serverClients.size} clients`);
      // The visitors' symbols are orphaned now, still subscribed upstream until the cleanup.
      const orphans = topics.orphaned;
      assert.ok(orphans > 0, 'the churn left orphaned topics');
      assert.equal(adapter.subscribedSymbols().length, topics.size);

      const reply = await adminRequest(watcher, 'cleanup_orphaned');
      const data = reply.data as Record<string, number>;
      assert.deepEqual(
        [data.orphaned_topics_found, data.broker_unsubscriptions, data.cleaned_count],
        [orphans, orphans, orphans],
      );
      assert.deepEqual([topics.size, topics.orphaned], [1, 0]);
      assert.deepEqual(adapter.subscribedSymbols(), [watched]);
      await watcher.next(marketDataOf(watched, Date.now()), 5000, 'a fresh tick for the watcher');

      await watcher.close();
      await waitFor(() => clients.size === 0, 'the server to release the watcher');
      assert.deepEqual([topics.subscriptions, topics.active, clients.behind.size], [0, 0, 0]);
      await waitFor(() => adapters.count === 0, 'the adapter teardown after BROKER_ADAPTER_CLEANUP_DELAY');
      assert.deepEqual(adapter.subscribedSymbols(), []);
      assert.equal(topics.size, 0);
      assert.deepEqual([adapters.stats().created, adapters.stats().leases], [1, 0]);
      const sizes = new Map(gateway.parts.structures.snapshot().map((row) => [row.name, row.size]));
      for (const name of QUOTE_STRUCTURES) assert.equal(sizes.get(name), 0, `structure ${name} is empty`);
      assert.ok(
        (sizes.get('symbol_cache') ?? Infinity) <= POOL_SIZE,
        'the symbol cache holds the pool at most',
      );

      await collectGarbage();
      const alive = [...serverClients.values()].filter((ref) => ref.deref() !== undefined).length;
      assert.equal(alive, 0, 'no server-side client object outlives its connection');
      const leaks = leakTracker.stats();
      const visitors = WAVES * CLIENTS_PER_WAVE;
      assert.deepEqual(
        { tracking: leaks.tracking, tracked: leaks.tracked, closed: leaks.closed, leaked: leaks.leaked },
        { tracking: 0, tracked: visitors + 2, closed: visitors + 2, leaked: 0 },
        'every client and the adapter were closed, none collected unclosed',
      );
      // Nothing above was rescued by a memory cleanup: the monitor never ran one.
      assert.equal(monitor.stats().cleanup.runs, 0);
    } finally {
      await gateway.close();
    }
  });

  it('assertNoLeak: rounds of clients that subscribe, read a tick and leave leak nothing', async (t) => {
    // A zero delay tears the adapter down after every round: its creation and close are measured too.
    const { gateway, config } = await startTestGateway({ ...CHURN_ENV, BROKER_ADAPTER_CLEANUP_DELAY: '0' });
    const pool = simSymbols(config);
    const random = seededRandom(7);
    const round = async () => {
      await Promise.all(Array.from({ length: ROUND_SIZE }, () => visit(gateway, pool, random, () => {})));
      // The round ends when the server has let every client go, not when the clients think so.
      await waitFor(() => gateway.parts.clients.size === 0, "the server to release the round's clients");
    };
    try {
      const result = await assertNoLeak(round, {
        iterations: 10,
        samples: 10,
        warmupSamples: 5,
        label: `a round of ${ROUND_SIZE} clients`,
      });
      t.diagnostic(
        `heap growth ${Math.round(result.bytesPerIteration)} B per round ` +
          `(interval ${Math.round(result.interval.lower)} to ${Math.round(result.interval.upper)}, ` +
          `limit ${Math.round(result.limitBytesPerIteration)})`,
      );
      assert.equal(gateway.parts.sockets.counters.accepted, result.iterations * ROUND_SIZE);
      assert.equal(gateway.parts.leakTracker.stats().leaked, 0);
    } finally {
      await gateway.close();
    }
  });
});
