import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  levelCount,
  newBookSide,
  packLevels,
  pushLevel,
  setLevel,
  unpackLevels,
} from '../../src/domain/book-side.js';

const levels = [
  { price: 100.5, quantity: 1.25, orders: 3 },
  { price: 100.4, quantity: 2, orders: 1 },
  { price: 100.3, quantity: 0.5, orders: 7 },
];

describe('BookSide', () => {
  it('packs levels as price, quantity, orders triples and unpacks them unchanged', () => {
    const side = packLevels(levels);
    assert.deepEqual(side, [100.5, 1.25, 3, 100.4, 2, 1, 100.3, 0.5, 7]);
    assert.equal(levelCount(side), 3);
    assert.deepEqual(unpackLevels(side), levels);
  });

  it('unpacks only the best levels asked for, and all of them when asked for more', () => {
    const side = packLevels(levels);
    assert.deepEqual(unpackLevels(side, 2), levels.slice(0, 2));
    assert.deepEqual(unpackLevels(side, 50), levels);
    assert.deepEqual(unpackLevels(side, 0), []);
    assert.deepEqual(unpackLevels([]), []);
  });

  it('builds a side level by level', () => {
    const side: number[] = [];
    for (const l of levels) pushLevel(side, l.price, l.quantity, l.orders);
    assert.deepEqual(side, packLevels(levels));
  });

  it('fills a side allocated at its final length, level by level in any order', () => {
    const side = newBookSide(levels.length);
    assert.equal(levelCount(side), levels.length);
    for (const i of [2, 0, 1]) {
      const l = levels[i] as (typeof levels)[number];
      setLevel(side, i, l.price, l.quantity, l.orders);
    }
    assert.deepEqual(side, packLevels(levels));
  });
});
