import type { DataLevel } from '../../src/domain/tick.js';

/**
 * The `data` fields of a `market_data` message per mode, as /work/shared/PROTOCOL.md lists them.
 * Written out here rather than imported from the serializer, so the tests hold the serializer to
 * the protocol instead of to itself.
 */
const LTP = ['symbol', 'exchange', 'mode', 'ltp', 'ltt', 'timestamp'];
const QUOTE = [
  ...LTP,
  'volume',
  'open',
  'high',
  'low',
  'close',
  'last_trade_quantity',
  'average_price',
  'total_buy_quantity',
  'total_sell_quantity',
  'change',
  'change_percent',
];
const DEPTH = [...QUOTE, 'oi', 'upper_circuit', 'lower_circuit', 'depth'];

export const MODE_FIELDS: Record<DataLevel, readonly string[]> = {
  1: [...LTP].sort(),
  2: [...QUOTE].sort(),
  3: [...DEPTH].sort(),
};

/** The keys of a `market_data` envelope. */
export const ENVELOPE_FIELDS: readonly string[] = ['broker', 'data', 'exchange', 'mode', 'symbol', 'type'];

/** The keys of one order-book level. */
export const LEVEL_FIELDS: readonly string[] = ['orders', 'price', 'quantity'];
