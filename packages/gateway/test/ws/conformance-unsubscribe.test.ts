import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withGateway } from '../support/gateway-session.js';
import { connectAuthenticated, subscribe } from '../support/market-session.js';
import type { Message, TestClient } from '../support/ws-client.js';

const BTC = { symbol: 'BTC/USDT', exchange: 'SIM' };
const ETH = { symbol: 'ETH/USDT', exchange: 'SIM' };
const removed = (ref: { symbol: string; exchange: string }) => ({ ...ref, status: 'success', broker: 'sim' });

function unsubscribe(client: TestClient, message: Record<string, unknown>): Promise<Message> {
  return client.request({ action: 'unsubscribe', ...message }, 'unsubscribe');
}

/** What the client still holds, as unsubscribe_all lists it (which also empties it). */
async function remaining(client: TestClient): Promise<string[]> {
  const reply = await client.request({ action: 'unsubscribe_all' }, 'unsubscribe');
  return (reply.successful as { symbol: string }[]).map((s) => s.symbol).sort();
}

describe('unsubscribe over WebSocket', () => {
  it('removes the mode named inside each entry of the list form', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT'], { mode: 1 });
      await subscribe(client, ['BTC/USDT', 'ETH/USDT'], { mode: 2 });
      const reply = await unsubscribe(client, {
        symbols: [
          { ...BTC, mode: 1 },
          { ...ETH, mode: 2 },
        ],
      });
      assert.deepEqual(Object.keys(reply).sort(), [
        'broker',
        'failed',
        'message',
        'status',
        'successful',
        'type',
      ]);
      assert.equal(reply.status, 'success');
      assert.equal(reply.message, 'Unsubscription processing complete');
      assert.equal(reply.broker, 'sim');
      assert.deepEqual(reply.successful, [removed(BTC), removed(ETH)]);
      assert.deepEqual(reply.failed, []);
      assert.deepEqual(await remaining(client), ['BTC/USDT'], 'BTC at Quote is still held');
    }));

  it('removes one symbol at one mode in the single form', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['ETH/USDT'], { mode: 1 });
      await subscribe(client, ['ETH/USDT'], { mode: 3 });
      const reply = await unsubscribe(client, { symbol: 'ETH/USDT', exchange: 'sim', mode: 'Depth' });
      assert.deepEqual(reply.successful, [removed(ETH)]);
      assert.deepEqual(await remaining(client), ['ETH/USDT'], 'ETH at LTP is still held');
    }));

  it('removes every mode of a symbol when no mode is given', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      for (const mode of [1, 2, 3] as const) await subscribe(client, ['BTC/USDT'], { mode });
      await subscribe(client, ['ETH/USDT'], { mode: 1 });
      const reply = await unsubscribe(client, { symbols: [BTC] });
      assert.deepEqual(reply.successful, [removed(BTC)]);
      assert.deepEqual(await remaining(client), ['ETH/USDT']);
    }));

  it('applies a top-level mode to list entries that name none', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT'], { mode: 1 });
      await subscribe(client, ['BTC/USDT'], { mode: 2 });
      assert.equal((await unsubscribe(client, { symbols: [BTC], mode: 1 })).status, 'success');
      assert.deepEqual(await remaining(client), ['BTC/USDT'], 'BTC at Quote is still held');
    }));

  it('lists a symbol the client does not hold under failed, with status error', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      const reply = await unsubscribe(client, { symbols: [BTC] });
      assert.equal(reply.type, 'unsubscribe');
      assert.equal(reply.status, 'error');
      assert.deepEqual(reply.successful, []);
      const [failed] = reply.failed as Record<string, unknown>[];
      assert.equal(failed?.symbol, 'BTC/USDT');
      assert.equal(failed?.status, 'error');
    }));

  it('answers partial when some entries were held and some not', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT'], { mode: 1 });
      const reply = await unsubscribe(client, {
        symbols: [
          { ...BTC, mode: 1 },
          { ...BTC, mode: 2 },
        ],
      });
      assert.equal(reply.status, 'partial');
      assert.deepEqual(reply.successful, [removed(BTC)]);
      assert.equal((reply.failed as unknown[]).length, 1);
    }));
});

describe('unsubscribe_all over WebSocket', () => {
  it('lists every removed subscription and leaves the client with none', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT'], { mode: 1 });
      await subscribe(client, ['ETH/USDT'], { mode: 2 });
      await subscribe(client, ['SOL/USDT'], { mode: 3 });
      const reply = await client.request({ action: 'unsubscribe_all' }, 'unsubscribe');
      assert.equal(reply.type, 'unsubscribe');
      assert.equal(reply.status, 'success');
      assert.equal(reply.message, 'Unsubscription processing complete');
      assert.deepEqual(reply.failed, []);
      const symbols = (reply.successful as { symbol: string }[]).map((s) => s.symbol).sort();
      assert.deepEqual(symbols, ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
      for (const entry of reply.successful as Record<string, unknown>[]) {
        assert.deepEqual(entry, removed({ symbol: String(entry.symbol), exchange: 'SIM' }));
      }
      assert.deepEqual(await remaining(client), []);
    }));

  it('answers success with an empty list for a client that holds nothing', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      const reply = await client.request({ action: 'unsubscribe_all' }, 'unsubscribe');
      assert.equal(reply.status, 'success');
      assert.deepEqual(reply.successful, []);
    }));
});
