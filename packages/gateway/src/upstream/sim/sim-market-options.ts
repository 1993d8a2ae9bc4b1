import type { Clock } from '@steadystate/lifecycle';

export interface SimMarketOptions {
  /**
   * Seeds the universe and every price, candle and book: two markets with the same seed produce
   * the same data. An unsigned 32-bit integer.
   * @default 1
   */
  seed?: number;
  /**
   * How many symbols the market lists, from 3 to 100,000; the first three are always
   * `BTC/USDT`, `ETH/USDT` and `SOL/USDT`. The list is built at construction (about 7 MB of heap at
   * 100,000 symbols); prices cost nothing until asked for.
   * @default 2000
   */
  symbolCount?: number;
  /** The time `candles()` ends at when no end time is given, in ms since the epoch. @default Date.now */
  now?: Clock;
}
