import type { Clock, Logger, StructureRegistry } from '@steadystate/lifecycle';
import type { TickSink } from '../upstream-adapter.js';
import type { SimMarket } from './sim-market.js';

export interface SimAdapterOptions {
  /** Receives every tick. A sink that throws is counted and logged; the other ticks still flow. Required. */
  sink: TickSink;
  /**
   * The market the ticks come from; share it with whatever serves candles, so both tell the
   * same story.
   * @default new SimMarket() (seed 1, 2,000 symbols)
   */
  market?: SimMarket;
  /**
   * Ticks per second per subscribed symbol, from 0.1 to 100. The cost grows with
   * subscriptions x rate: 2,000 symbols at 100 is 200,000 ticks a second.
   * @default 2
   */
  ticksPerSecond?: number;
  /**
   * How often the adapter's one timer wakes to emit the ticks that fell due, in ms (10 to 1000).
   * Shorter spreads ticks more smoothly; longer wakes the process less often.
   * @default 50
   */
  stepMs?: number;
  /** Order-book levels per side at level 3, from 1 to 100. @default 20 */
  maxDepth?: number;
  /** When given, the adapter registers its subscription table at construction and unregisters on close. */
  structures?: StructureRegistry;
  /** @default stderrLogger */
  logger?: Logger;
  /** Decides which ticks are due and stamps them, in ms since the epoch. @default Date.now */
  now?: Clock;
}
