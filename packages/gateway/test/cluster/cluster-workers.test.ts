import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, FAST_CLUSTER_ENV } from '../support/cluster-nodes.js';
import { startNatsServer } from '../support/nats-server.js';
import { spawnGateway } from '../support/spawn-gateway.js';
import { makeTempDir } from '../support/temp-dir.js';
import { TEST_ADMIN_TOKEN, TEST_API_KEYS } from '../support/test-gateway.js';
import { TestClient, type Message } from '../support/ws-client.js';

const CLIENTS = 8;
const listening = (lines: unknown[]) =>
  lines.filter((line) => (line as { msg?: string }).msg === 'gateway listening').length;

describe('WORKERS=2', () => {
  it('runs two cluster nodes behind one port, and SIGTERM to the primary closes every client with 1001 and exits 0', async (t) => {
    const nats = await startNatsServer(t);
    if (!nats) return;
    const primary = await spawnGateway({
      DATA_DIR: await makeTempDir(),
      LOG_LEVEL: 'info',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      API_KEYS: TEST_API_KEYS.join(','),
      NATS_URL: nats.url,
      NODE_ID: 'box',
      CLUSTER_NAME: `w${process.pid}`,
      WORKERS: '2',
      ...FAST_CLUSTER_ENV,
    });
    t.after(() => {
      if (primary.child.exitCode === null) primary.child.kill('SIGKILL');
    });
    await eventually(
      () => Promise.resolve(listening(primary.lines)),
      (n) => n === 2,
      15_000,
      'workers listening',
    );

    const wsUrl = primary.url.replace(/^http/, 'ws');
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const client = await TestClient.connect(wsUrl);
        await client.authenticate(TEST_API_KEYS[0]);
        return client;
      }),
    );
    const served = new Set<string>();
    for (const client of clients) {
      const stats = await client.request(
        { action: 'get_stats', admin_token: TEST_ADMIN_TOKEN },
        'stats',
        10_000,
      );
      served.add((stats.data as { node: string }).node);
      await client.request(
        { action: 'subscribe', mode: 1, symbols: [{ exchange: 'SIM', symbol: 'BTC/USDT' }] },
        'subscribe',
        10_000,
      );
    }
    assert.deepEqual(
      [...served].sort(),
      ['box-w1', 'box-w2'],
      'both workers accept connections on the one port',
    );
    const isTick = (m: Message) => m.type === 'market_data';
    await Promise.all(clients.map((client) => client.next(isTick, 10_000, 'a tick')));

    primary.child.kill('SIGTERM');
    const closes = await Promise.all(clients.map((client) => client.closed));
    assert.ok(
      closes.every((close) => close.code === 1001),
      JSON.stringify(closes.map((c) => c.code)),
    );
    assert.deepEqual(await primary.exited, { code: 0, signal: null });
  });
});
