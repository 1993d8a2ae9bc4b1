import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import {
  clusterStats,
  eventually,
  FAST_CLUSTER_ENV,
  startClusterNodes,
  upstreamSubscriptions,
  type ClusterNodeProcess,
} from '../support/cluster-nodes.js';
import { startNatsServer } from '../support/nats-server.js';
import { TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient, type Message } from '../support/ws-client.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
const LEASE_TTL_MS = Number(FAST_CLUSTER_ENV.CLUSTER_LEASE_TTL) * 1000;
const isTick = (symbol: string) => (m: Message) =>
  m.type === 'market_data' && (m.data as { symbol?: string } | undefined)?.symbol === symbol;

async function subscribedClient(node: ClusterNodeProcess): Promise<TestClient> {
  const client = await TestClient.connect(node.wsUrl);
  await client.authenticate(TEST_API_KEYS[0]);
  const reply = await client.request(
    { action: 'subscribe', mode: 1, symbols: SYMBOLS.map((symbol) => ({ exchange: 'SIM', symbol })) },
    'subscribe',
    10_000,
  );
  assert.equal(reply.status, 'success', JSON.stringify(reply));
  for (const symbol of SYMBOLS) await client.next(isTick(symbol), 10_000, `a tick of ${symbol}`);
  return client;
}

/** Every client gets a new tick of every symbol within `withinMs`. */
async function ticksResume(clients: TestClient[], withinMs: number): Promise<void> {
  await Promise.all(
    clients.flatMap((client) =>
      SYMBOLS.map((symbol) => client.nextNew(isTick(symbol), withinMs, `a new tick of ${symbol}`)),
    ),
  );
}

async function holderOf(nodes: ClusterNodeProcess[]): Promise<ClusterNodeProcess> {
  const stats = await eventually(
    () => clusterStats(nodes[0]!),
    (s) => s.cluster.holders.SIM !== undefined,
    10_000,
    'a SIM lease holder',
  );
  const holder = nodes.find((node) => node.nodeId === stats.cluster.holders.SIM);
  assert.ok(holder, `the holder ${stats.cluster.holders.SIM} is one of the nodes`);
  return holder;
}

describe('cluster failover', () => {
  it('moves the lease when its holder is killed: ticks resume within the TTL plus 5 s, each symbol subscribed once', async (t) => {
    const nats = await startNatsServer(t);
    if (!nats) return;
    const { nodes } = await startClusterNodes(t, nats.url, 3);
    const clients = new Map(
      await Promise.all(nodes.map(async (node) => [node, await subscribedClient(node)] as const)),
    );
    const holder = await holderOf(nodes);

    holder.child.kill('SIGKILL');
    await holder.exited;
    const survivors = nodes.filter((node) => node !== holder);
    const surviving = survivors.map((node) => clients.get(node)!);
    await sleep(200); // ticks the holder published just before it died may still be on their way
    await ticksResume(surviving, LEASE_TTL_MS + 5000);
    for (const client of surviving)
      assert.equal(client.ws.readyState, WebSocket.OPEN, 'the client kept its socket');

    const counts = await eventually(
      () => upstreamSubscriptions(survivors),
      (c) => c.reduce((a, b) => a + b, 0) === SYMBOLS.length,
      10_000,
      'upstream subscriptions on the survivors',
    );
    assert.equal(
      counts.filter((n) => n > 0).length,
      1,
      `one survivor subscribes upstream: ${counts.join(', ')}`,
    );
    await Promise.all(surviving.map((client) => client.close()));
  });

  it('survives a NATS restart: /healthz says degraded meanwhile, then every node resubscribes and each symbol is subscribed once', async (t) => {
    const nats = await startNatsServer(t);
    if (!nats) return;
    const { nodes } = await startClusterNodes(t, nats.url, 3);
    const clients = await Promise.all(nodes.map((node) => subscribedClient(node)));

    await nats.stop();
    const health = await eventually(
      async () =>
        (await (await fetch(`${nodes[0]!.url}/healthz`)).json()) as { status: string; faults: string[] },
      (h) => h.status === 'degraded',
      10_000,
      '/healthz while NATS is down',
    );
    assert.ok(
      health.faults.some((f) => /NATS unreachable/.test(f)),
      JSON.stringify(health),
    );
    await nats.restart();

    await ticksResume(clients, 20_000);
    const counts = await eventually(
      () => upstreamSubscriptions(nodes),
      (c) => c.reduce((a, b) => a + b, 0) === SYMBOLS.length && c.filter((n) => n > 0).length === 1,
      15_000,
      'upstream subscriptions after the restart',
    );
    assert.equal(counts.filter((n) => n > 0).length, 1);
    const after = await clusterStats(nodes[0]!);
    assert.equal(after.cluster.nodes.length, 3, 'every node answers again');
    assert.ok(
      after.cluster.nodes.every((n) => n.bus.reconnects >= 1),
      'every node reconnected',
    );
    assert.equal(
      ((await (await fetch(`${nodes[0]!.url}/healthz`)).json()) as { status: string }).status,
      'ok',
    );
    await Promise.all(clients.map((client) => client.close()));
  });
});
