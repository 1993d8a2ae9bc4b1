import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { encodeTick, MAX_TICK_BYTES } from '../../src/cluster/tick-codec.js';
import { clusterStats, eventually, startClusterNodes } from '../support/cluster-nodes.js';
import { startNatsServer } from '../support/nats-server.js';
import { TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient, type Message } from '../support/ws-client.js';

const isTick = (symbol: string) => (m: Message) =>
  m.type === 'market_data' && (m.data as { symbol?: string } | undefined)?.symbol === symbol;

describe('bad input on the cluster bus', () => {
  it('counts and drops malformed, oversized and foreign messages and a malformed demand; the nodes keep serving', async (t) => {
    const nats = await startNatsServer(t);
    if (!nats) return;
    const { cluster, nodes } = await startClusterNodes(t, nats.url, 2);
    const client = await TestClient.connect(nodes[1]!.wsUrl);
    await client.authenticate(TEST_API_KEYS[0]);
    await client.request(
      { action: 'subscribe', mode: 1, symbols: [{ exchange: 'SIM', symbol: 'BTC/USDT' }] },
      'subscribe',
      10_000,
    );
    await client.next(isTick('BTC/USDT'), 10_000, 'a first tick');

    const intruder = await connect({ servers: nats.url });
    t.after(() => intruder.close());
    const subject = `${cluster}.tick.SIM.BTC_2FUSDT`;
    const foreign = encodeTick({ exchange: 'SIM', symbol: 'ETH/USDT', timestamp: 1, ltp: 2, ltt: 3 });
    intruder.publish(subject, Buffer.from('{"not":"a tick"}')); // malformed
    intruder.publish(subject, Buffer.alloc(MAX_TICK_BYTES + 1, 1)); // oversized
    intruder.publish(subject, foreign); // another symbol's tick on BTC/USDT's subject
    intruder.publish(subject, Buffer.alloc(0)); // empty
    const demand = await new Kvm(intruder).open(`${cluster}_demand`);
    await demand.put('SIM.intruder', '{"v":1,"levels":{"1":["../../etc"]}}'); // not a symbol
    await intruder.flush();

    const counted = await eventually(
      async () => Promise.all(nodes.map(async (node) => (await clusterStats(node)).cluster)),
      (views) => {
        const undecodable = views.map((v) => v.nodes.find((n) => n.node === v.node)?.bus.undecodable ?? 0);
        return undecodable[1]! >= 4 && undecodable.reduce((a, b) => a + b, 0) >= 5;
      },
      10_000,
      'undecodable counters',
    );
    assert.equal(counted.length, 2);
    // Every message was dropped: the client saw no tick of another symbol, and ticks go on.
    await client.nextNew(isTick('BTC/USDT'), 10_000, 'a tick after the bad input');
    assert.ok(
      client.messages.every((m) => m.type !== 'market_data' || isTick('BTC/USDT')(m)),
      'no foreign tick reached the client',
    );
    for (const node of nodes) {
      const health = (await (await fetch(`${node.url}/healthz`)).json()) as { status: string };
      assert.equal(health.status, 'ok');
    }
    const metrics = await (await fetch(`${nodes[1]!.url}/metrics`)).text();
    assert.match(metrics, /steadystate_bus_messages_total\{result="undecodable"\} [4-9]/);
    await client.close();
  });
});
