import type { DepthLevel } from './tick.js';

/**
 * One side of an order book, best level first, packed as `[price, quantity, orders, price, …]`.
 *
 * Books are the bulk of what the gateway keeps: the last tick of every subscribed symbol, up to
 * 20 levels a side. A flat array of numbers is one allocation that V8 stores unboxed; an array of
 * `{ price, quantity, orders }` objects costs an object and two boxed numbers per level. Measured
 * at 10,000 symbols, the objects were about 36 MB of a 100 MB live heap and the flat arrays about
 * a quarter of that. The wire format is unchanged: the serializer unpacks the levels it sends.
 */
export type BookSide = readonly number[];

/** Numbers per level in a {@link BookSide}. */
export const LEVEL_STRIDE = 3;

/** How many levels `side` holds. */
export function levelCount(side: BookSide): number {
  return Math.floor(side.length / LEVEL_STRIDE);
}

/** Appends one level to a side being built. */
export function pushLevel(side: number[], price: number, quantity: number, orders: number): void {
  side.push(price, quantity, orders);
}

/**
 * A side of `levels` levels to fill with {@link setLevel}. Allocated at its final length: a side
 * grown by pushes keeps about half again its size in spare capacity, for as long as it is cached.
 */
export function newBookSide(levels: number): number[] {
  return new Array<number>(levels * LEVEL_STRIDE);
}

/** Sets level `index` (0 is the best) of a side made by {@link newBookSide}. */
export function setLevel(
  side: number[],
  index: number,
  price: number,
  quantity: number,
  orders: number,
): void {
  const at = index * LEVEL_STRIDE;
  side[at] = price;
  side[at + 1] = quantity;
  side[at + 2] = orders;
}

/** The best `max` levels of `side` as the protocol's level objects. */
export function unpackLevels(side: BookSide, max: number = Infinity): DepthLevel[] {
  const count = Math.min(levelCount(side), max);
  const levels: DepthLevel[] = new Array<DepthLevel>(count);
  for (let i = 0, at = 0; i < count; i++, at += LEVEL_STRIDE) {
    levels[i] = {
      price: side[at] as number,
      quantity: side[at + 1] as number,
      orders: side[at + 2] as number,
    };
  }
  return levels;
}

/** Packs level objects into a {@link BookSide} (for adapters and tests that have them as objects). */
export function packLevels(levels: readonly DepthLevel[]): number[] {
  const side: number[] = [];
  for (const level of levels) pushLevel(side, level.price, level.quantity, level.orders);
  return side;
}
