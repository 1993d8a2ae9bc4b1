import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clusterStats,
  eventually,
  startClusterNodes,
  upstreamSubscriptions,
} from '../support/cluster-nodes.js';
import { startNatsServer } from '../support/nats-server.js';
import { TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient, type Message } from '../support/ws-client.js';

const MODES = ['LTP', 'Quote', 'Depth'] as const;

/** Symbols of the simulated market (seed 1), overlapping between the nodes' clients. */
async function simSymbols(url: string, count: number): Promise<string[]> {
  const response = await fetch(`${url}/api/symbols?exchange=SIM`);
  const body = (await response.json()) as { symbols: string[] };
  return body.symbols.slice(0, count);
}

const isTick = (symbol: string, mode: number) => (m: Message) => {
  const data = m.data as { symbol?: string; mode?: number } | undefined;
  return m.type === 'market_data' && data?.symbol === symbol && data.mode === mode;
};

describe('cluster mode: three nodes serve one market through NATS', () => {
  it('delivers every client its ticks with each symbol subscribed upstream once, then unsubscribes after the delay', async (t) => {
    const nats = await startNatsServer(t);
    if (!nats) return;
    const { nodes } = await startClusterNodes(t, nats.url, 3);
    const symbols = await simSymbols(nodes[0]!.url, 6);
    // Node i's client takes symbols i..i+3 in mode i: each symbol is wanted on two or three nodes.
    const clients = await Promise.all(
      nodes.map(async (node, i) => {
        const client = await TestClient.connect(node.wsUrl);
        await client.authenticate(TEST_API_KEYS[0]);
        const mine = symbols.slice(i, i + 4);
        const reply = await client.request(
          { action: 'subscribe', mode: i + 1, symbols: mine.map((symbol) => ({ exchange: 'SIM', symbol })) },
          'subscribe',
          10_000,
        );
        assert.equal(reply.status, 'success', JSON.stringify(reply));
        return { client, mine, mode: i + 1 };
      }),
    );
    for (const { client, mine, mode } of clients) {
      for (const symbol of mine)
        await client.next(isTick(symbol, mode), 10_000, `${MODES[mode - 1]} ${symbol}`);
    }

    const wanted = new Set(clients.flatMap((c) => c.mine)).size;
    const perNode = await eventually(
      () => upstreamSubscriptions(nodes),
      (counts) => counts.reduce((a, b) => a + b, 0) === wanted,
      10_000,
      'upstream subscriptions per node',
    );
    assert.equal(
      perNode.filter((n) => n > 0).length,
      1,
      `one node subscribes upstream: ${perNode.join(', ')}`,
    );
    const stats = await clusterStats(nodes[1]!);
    assert.deepEqual(
      stats.cluster.nodes.map((n) => n.node),
      ['node1', 'node2', 'node3'],
    );
    assert.equal(stats.cluster.nodes.find((n) => n.node === 'node2')?.clients, 1);

    // Every client leaves. Within the delay (2 s here) the holder keeps the symbols; after it, none.
    const left = Date.now();
    await Promise.all(clients.map(({ client }) => client.close()));
    const soon = await upstreamSubscriptions(nodes);
    if (Date.now() - left < 1500) {
      assert.equal(
        soon.reduce((a, b) => a + b, 0),
        wanted,
        'still subscribed within the delay',
      );
    }
    await eventually(
      () => upstreamSubscriptions(nodes),
      (counts) => counts.every((n) => n === 0),
      15_000,
      'upstream subscriptions after every client left',
    );
  });
});

describe('cluster credentials', () => {
  it('never shows the credentials of NATS_URL in logs or stats', async (t) => {
    const nats = await startNatsServer(t);
    if (!nats) return;
    // The test server has no authorization: it ignores the user and password, which is all this needs.
    const url = nats.url.replace('nats://', 'nats://watcher:s3cret-pass@');
    const { nodes } = await startClusterNodes(t, url, 1);
    const stats = await clusterStats(nodes[0]!);
    assert.equal(stats.cluster.servers, nats.url);
    assert.doesNotMatch(JSON.stringify(stats), /s3cret|watcher/);
    nodes[0]!.child.kill('SIGTERM');
    assert.deepEqual(await nodes[0]!.exited, { code: 0, signal: null }, 'a node stops cleanly on SIGTERM');
    assert.doesNotMatch(JSON.stringify(nodes[0]!.lines), /s3cret/);
  });
});

describe('cluster settings that must agree', () => {
  it('refuses to start a node whose CLUSTER_LEASE_TTL differs from the one its cluster was created with', async (t) => {
    const nats = await startNatsServer(t);
    if (!nats) return;
    const { add } = await startClusterNodes(t, nats.url, 1);
    await assert.rejects(
      add('node-with-other-ttl', { CLUSTER_LEASE_TTL: '5' }),
      /CLUSTER_LEASE_TTL is 5 s, but this cluster's bucket \S+_leases lapses entries after 2 s/,
    );
  });
});
