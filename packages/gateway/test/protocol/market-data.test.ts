import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { carriesMode, marketDataFields, serializeMarketData } from '../../src/protocol/market-data.js';
import type { DataLevel, DepthLevel, Tick } from '../../src/domain/tick.js';
import { ENVELOPE_FIELDS, LEVEL_FIELDS, MODE_FIELDS } from '../support/market-data-fields.js';
import { packBook } from '../support/depth-book.js';

const book = (side: 1 | -1): DepthLevel[] =>
  Array.from({ length: 20 }, (_, i) => ({ price: 100 + side * (i + 1), quantity: i + 1, orders: i + 2 }));

const tick: Tick = {
  exchange: 'SIM',
  symbol: 'BTC/USDT',
  timestamp: 1_700_000_000_500,
  ltp: 100,
  ltt: 1_700_000_000_000,
  quote: {
    volume: 1,
    open: 2,
    high: 3,
    low: 4,
    close: 5,
    lastTradeQuantity: 6,
    averagePrice: 7,
    totalBuyQuantity: 8,
    totalSellQuantity: 9,
    change: 10,
    changePercent: 11,
    oi: 12,
    upperCircuit: 13,
    lowerCircuit: 14,
  },
  depth: packBook(book(-1), book(1)),
};

const keys = (o: object) => Object.keys(o).sort();

describe('marketDataFields', () => {
  for (const mode of [1, 2, 3] as DataLevel[]) {
    it(`gives exactly the fields PROTOCOL.md lists for mode ${mode}`, () => {
      assert.deepEqual(keys(marketDataFields(tick, mode, 5)), MODE_FIELDS[mode]);
    });
  }

  it('maps every tick field to its protocol name', () => {
    const data = marketDataFields(tick, 3, 5);
    assert.deepEqual(
      { ...data, depth: undefined },
      {
        symbol: 'BTC/USDT',
        exchange: 'SIM',
        mode: 3,
        ltp: 100,
        ltt: 1_700_000_000_000,
        timestamp: 1_700_000_000_500,
        volume: 1,
        open: 2,
        high: 3,
        low: 4,
        close: 5,
        last_trade_quantity: 6,
        average_price: 7,
        total_buy_quantity: 8,
        total_sell_quantity: 9,
        change: 10,
        change_percent: 11,
        oi: 12,
        upper_circuit: 13,
        lower_circuit: 14,
        depth: undefined,
      },
    );
  });

  it('slices each book side to the requested depth, best levels first', () => {
    const { depth } = marketDataFields(tick, 3, 3) as { depth: { buy: DepthLevel[]; sell: DepthLevel[] } };
    assert.deepEqual(depth.buy, book(-1).slice(0, 3));
    assert.deepEqual(depth.sell, book(1).slice(0, 3));
    for (const level of [...depth.buy, ...depth.sell]) assert.deepEqual(keys(level), LEVEL_FIELDS);
  });

  it('sends the whole book when it has fewer levels than requested', () => {
    const { depth } = marketDataFields(tick, 3, 50) as { depth: { buy: DepthLevel[] } };
    assert.equal(depth.buy.length, 20);
  });

  it('fills fields a tick does not carry with 0 and empty book sides, never undefined', () => {
    const bare: Tick = { exchange: 'SIM', symbol: 'ETH/USDT', timestamp: 2, ltp: 3, ltt: 1 };
    const data = marketDataFields(bare, 3, 5);
    assert.deepEqual(keys(data), MODE_FIELDS[3]);
    assert.equal(data.volume, 0);
    assert.deepEqual(data.depth, { buy: [], sell: [] });
  });
});

describe('serializeMarketData', () => {
  it('wraps the fields in the market_data envelope with the mode number and broker', () => {
    const message = JSON.parse(serializeMarketData(tick, 2, 0, 'sim').toString()) as Record<string, unknown>;
    assert.deepEqual(keys(message), ENVELOPE_FIELDS);
    assert.equal(message.type, 'market_data');
    assert.equal(message.symbol, 'BTC/USDT');
    assert.equal(message.exchange, 'SIM');
    assert.equal(message.mode, 2);
    assert.equal(message.broker, 'sim');
    assert.deepEqual(keys(message.data as object), MODE_FIELDS[2]);
  });
});

describe('carriesMode', () => {
  it('tells whether a tick holds the data a mode shows', () => {
    const ltpOnly: Tick = { exchange: 'SIM', symbol: 'BTC/USDT', timestamp: 2, ltp: 3, ltt: 1 };
    const quoteOnly: Tick = { ...ltpOnly, quote: tick.quote! };
    assert.deepEqual(
      [ltpOnly, quoteOnly, tick].map((t) => [1, 2, 3].map((mode) => carriesMode(t, mode as DataLevel))),
      [
        [true, false, false],
        [true, true, false],
        [true, true, true],
      ],
    );
  });
});
