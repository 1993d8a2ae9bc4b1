import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DepthLevel } from '../../src/domain/tick.js';
import { withGateway } from '../support/gateway-session.js';
import { ENVELOPE_FIELDS, LEVEL_FIELDS, MODE_FIELDS } from '../support/market-data-fields.js';
import { connectAuthenticated, marketDataOf, subscribe } from '../support/market-session.js';
import type { Message, TestClient } from '../support/ws-client.js';

const BTC = { symbol: 'BTC/USDT', exchange: 'SIM' };
const ETH = { symbol: 'ETH/USDT', exchange: 'SIM' };
const keys = (o: unknown) => Object.keys(o as object).sort();
const ofMode = (symbol: string, mode: number) => (m: Message) => marketDataOf(symbol)(m) && m.mode === mode;

/** Sends a subscribe as written and returns its acknowledgement, failing unless every symbol succeeded. */
async function subscribeAs(client: TestClient, message: Record<string, unknown>): Promise<Message> {
  const ack = await client.request({ action: 'subscribe', ...message }, 'subscribe');
  assert.equal(ack.status, 'success', `subscribe failed: ${JSON.stringify(ack)}`);
  return ack;
}

/** Checks a market_data message carries exactly its mode's fields, and `depth` levels per book side. */
function assertMarketData(message: Message, mode: 1 | 2 | 3, depth?: number): void {
  assert.deepEqual(keys(message), ENVELOPE_FIELDS);
  assert.equal(message.mode, mode);
  assert.equal(message.broker, 'sim');
  const data = message.data as Record<string, unknown>;
  assert.deepEqual(keys(data), MODE_FIELDS[mode]);
  assert.equal(data.mode, mode);
  assert.equal(data.symbol, message.symbol);
  assert.equal(typeof data.ltp, 'number');
  if (mode !== 3) return;
  const book = data.depth as { buy: DepthLevel[]; sell: DepthLevel[] };
  assert.deepEqual(keys(book), ['buy', 'sell']);
  assert.equal(book.buy.length, depth);
  assert.equal(book.sell.length, depth);
  for (const level of [...book.buy, ...book.sell]) assert.deepEqual(keys(level), LEVEL_FIELDS);
}

describe('subscribe over WebSocket', () => {
  it('acknowledges the list form with one success entry per symbol', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      const ack = await subscribe(client, ['BTC/USDT', 'ETH/USDT'], { mode: 1 });
      assert.deepEqual(keys(ack), ['broker', 'message', 'status', 'subscriptions', 'type']);
      assert.equal(ack.type, 'subscribe');
      assert.equal(ack.message, 'Subscription processing complete');
      assert.equal(ack.broker, 'sim');
      assert.deepEqual(ack.subscriptions, [
        { ...BTC, status: 'success', mode: 'LTP', depth: 5, broker: 'sim' },
        { ...ETH, status: 'success', mode: 'LTP', depth: 5, broker: 'sim' },
      ]);
    }));

  it('acknowledges the single-symbol form, with the exchange upper-cased', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      const ack = await subscribeAs(client, { symbol: 'SOL/USDT', exchange: 'sim', mode: 1 });
      assert.deepEqual(ack.subscriptions, [
        { symbol: 'SOL/USDT', exchange: 'SIM', status: 'success', mode: 'LTP', depth: 5, broker: 'sim' },
      ]);
      assertMarketData(await client.next(marketDataOf('SOL/USDT')), 1);
    }));

  const modes: [unknown, 'LTP' | 'Quote' | 'Depth', 1 | 2 | 3][] = [
    [1, 'LTP', 1],
    [2, 'Quote', 2],
    [3, 'Depth', 3],
    ['ltp', 'LTP', 1],
    ['Quote', 'Quote', 2],
    ['DEPTH', 'Depth', 3],
    [undefined, 'Quote', 2],
  ];
  for (const [mode, label, number] of modes) {
    it(`takes mode ${JSON.stringify(mode) ?? '(none)'} as ${label} and streams exactly its fields`, () =>
      withGateway({}, async (gateway) => {
        const client = await connectAuthenticated(gateway);
        const ack = await subscribeAs(client, { symbols: [BTC], ...(mode === undefined ? {} : { mode }) });
        const [entry] = ack.subscriptions as Record<string, unknown>[];
        assert.equal(entry?.mode, label);
        assert.equal(entry?.depth, 5);
        assertMarketData(await client.next(marketDataOf('BTC/USDT')), number, 5);
      }));
  }

  it('streams Depth with book sides of the requested depth', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      const ack = await subscribe(client, ['ETH/USDT'], { mode: 3, depth: 3 });
      assert.equal((ack.subscriptions as Record<string, unknown>[])[0]?.depth, 3);
      assertMarketData(await client.next(marketDataOf('ETH/USDT')), 3, 3);
    }));

  it('streams every mode a client holds for one symbol, each with its own fields', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT'], { mode: 1 });
      assertMarketData(await client.next(ofMode('BTC/USDT', 1)), 1);
      // Subscribed after LTP ticks have flowed: the first Depth message must still carry a book.
      await subscribe(client, ['BTC/USDT'], { mode: 3, depth: 2 });
      assertMarketData(await client.next(ofMode('BTC/USDT', 3)), 3, 2);
      assertMarketData(await client.nextNew(ofMode('BTC/USDT', 1)), 1);
    }));

  it('answers partial with a per-symbol error for an unknown symbol', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      const ack = await client.request(
        { action: 'subscribe', symbols: [BTC, { symbol: 'NOPE/USDT', exchange: 'SIM' }], mode: 1 },
        'subscribe',
      );
      assert.equal(ack.status, 'partial');
      const [ok, failed] = ack.subscriptions as Record<string, unknown>[];
      assert.equal(ok?.status, 'success');
      assert.deepEqual(keys(failed), ['broker', 'exchange', 'message', 'status', 'symbol']);
      assert.equal(failed?.status, 'error');
      assert.equal(failed?.symbol, 'NOPE/USDT');
      assert.equal(failed?.broker, 'sim');
    }));

  it('answers partial with a per-symbol error, broker null, for an unknown exchange', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      const ack = await client.request(
        { action: 'subscribe', symbols: [BTC, { symbol: 'BTC/USDT', exchange: 'NOWHERE' }], mode: 1 },
        'subscribe',
      );
      assert.equal(ack.status, 'partial');
      const failed = (ack.subscriptions as Record<string, unknown>[])[1];
      assert.equal(failed?.status, 'error');
      assert.equal(failed?.exchange, 'NOWHERE');
      assert.equal(failed?.broker, null);
    }));

  it('answers status error when no symbol could be subscribed', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      const ack = await client.request(
        { action: 'subscribe', symbols: [{ symbol: 'NOPE/USDT', exchange: 'SIM' }] },
        'subscribe',
      );
      assert.equal(ack.type, 'subscribe');
      assert.equal(ack.status, 'error');
      assert.equal((ack.subscriptions as Record<string, unknown>[])[0]?.status, 'error');
    }));
});
