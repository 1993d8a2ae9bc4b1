import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RingBuffer, silentLogger } from '@steadystate/lifecycle';
import { settle } from '@steadystate/lifecycle/testing';
import { Fanout } from '../../src/fanout/fanout.js';
import { TopicIndex, type Subscription } from '../../src/market/topic-index.js';
import { SimAdapter } from '../../src/upstream/sim/sim-adapter.js';
import type { DataLevel, Tick } from '../../src/domain/tick.js';
import { packBook } from '../support/depth-book.js';

const ltpTick: Tick = { exchange: 'SIM', symbol: 'BTC/USDT', timestamp: 2, ltp: 100, ltt: 1 };
const depthTick: Tick = {
  ...ltpTick,
  quote: {
    volume: 1,
    open: 1,
    high: 1,
    low: 1,
    close: 1,
    lastTradeQuantity: 1,
    averagePrice: 1,
    totalBuyQuantity: 1,
    totalSellQuantity: 1,
    change: 0,
    changePercent: 0,
    oi: 0,
    upperCircuit: 0,
    lowerCircuit: 0,
  },
  depth: packBook([{ price: 99, quantity: 1, orders: 1 }], [{ price: 101, quantity: 1, orders: 1 }]),
};

describe('Fanout', () => {
  it('sends a tick only to the modes whose data it carries', async () => {
    // Ticks queued before a symbol's upstream level was raised lack the quote and the book.
    await using adapter = new SimAdapter({ sink: () => {}, logger: silentLogger });
    const ring = new RingBuffer<Tick>({ capacity: 16 });
    const topics = new TopicIndex();
    const fanout = new Fanout({ ring, topics });
    const topic = topics.ensure('SIM', 'BTC/USDT', adapter);
    const received: Record<DataLevel, number[]> = { 1: [], 2: [], 3: [] };
    for (const mode of [1, 2, 3] as const) {
      const subscription: Subscription = {
        subscriber: {
          deliver: (_slot, payload) =>
            received[mode].push((JSON.parse(payload.toString()) as Tick & { mode: number }).mode),
        },
        topic,
        mode,
        depth: 1,
        slot: `BTC|${mode}`,
      };
      topics.add(subscription);
    }
    try {
      fanout.publish(ltpTick);
      fanout.publish(depthTick);
      await settle();
      assert.deepEqual(received, { 1: [1, 1], 2: [2], 3: [3] });
    } finally {
      fanout.close();
      await ring.close();
    }
  });
});
