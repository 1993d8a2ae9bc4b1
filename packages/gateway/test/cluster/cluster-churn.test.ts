import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { decodeDemand } from '../../src/cluster/demand-codec.js';
import {
  clusterStats,
  eventually,
  startClusterNodes,
  upstreamSubscriptions,
} from '../support/cluster-nodes.js';
import { startNatsServer } from '../support/nats-server.js';
import { TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient } from '../support/ws-client.js';

const CYCLES = 1500;
const CONCURRENCY = 15;
const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'UJO/USDT', 'TOJ/USDT', 'WZN/USDT'];

describe('churn across cluster nodes', () => {
  it(`${CYCLES} connect, subscribe, disconnect cycles over three nodes leave no demand, topic, client or upstream subscription`, async (t) => {
    const nats = await startNatsServer(t);
    if (!nats) return;
    const { cluster, nodes } = await startClusterNodes(t, nats.url, 3);
    let next = 0;
    const cycle = async (i: number) => {
      const node = nodes[i % nodes.length]!;
      const client = await TestClient.connect(node.wsUrl);
      await client.authenticate(TEST_API_KEYS[i % 2]!);
      const symbol = SYMBOLS[i % SYMBOLS.length]!;
      const reply = await client.request(
        { action: 'subscribe', mode: (i % 3) + 1, symbols: [{ exchange: 'SIM', symbol }] },
        'subscribe',
        10_000,
      );
      assert.equal(reply.status, 'success', JSON.stringify(reply));
      // Half leave at once; half unsubscribe first.
      if (i % 2 === 0) {
        const left = await client.request({ action: 'unsubscribe_all' }, 'unsubscribe', 10_000);
        assert.equal(left.type, 'unsubscribe', JSON.stringify(left));
      }
      await client.close();
    };
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < CYCLES; i = next++) await cycle(i);
      }),
    );

    // Every node: no client, no topic once the orphan sweep ran, no adapter lease.
    for (const node of nodes) {
      await eventually(
        () => clusterStats(node),
        (s) =>
          s.clients.count === 0 &&
          s.subscriptions.symbols === 0 &&
          s.subscriptions.orphaned === 0 &&
          s.broker_adapters.leases === 0,
        15_000,
        `${node.nodeId}: clients, topics and adapter leases`,
      );
    }
    // Nobody's demand names a symbol, the holder unsubscribed upstream, one lease key per exchange.
    await eventually(
      () => upstreamSubscriptions(nodes),
      (counts) => counts.every((n) => n === 0),
      15_000,
      'upstream subscriptions',
    );
    const reader = await connect({ servers: nats.url });
    t.after(() => reader.close());
    const kvm = new Kvm(reader);
    const demand = await kvm.open(`${cluster}_demand`);
    for await (const key of await demand.keys()) {
      const entry = await demand.get(key);
      if (entry?.operation !== 'PUT') continue;
      assert.equal(decodeDemand(entry.string())?.size, 0, `${key} names no symbol`);
    }
    const leases: string[] = [];
    for await (const key of await (await kvm.open(`${cluster}_leases`)).keys()) leases.push(key);
    assert.deepEqual(leases, ['SIM']);
    const stats = await clusterStats(nodes[0]!);
    assert.ok(
      stats.cluster.nodes.every((n) =>
        n.owned.every((o) => o.demandedSymbols === 0 && o.demandingNodes <= 3),
      ),
    );
  });
});
