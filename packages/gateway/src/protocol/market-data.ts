import { unpackLevels, type BookSide } from '../domain/book-side.js';
import type { DataLevel, DepthLevel, Tick } from '../domain/tick.js';

/**
 * Serializes a tick as the `market_data` message of one mode (and, for Depth, one depth).
 * The fan-out calls this once per mode per tick and sends the same Buffer to every subscriber
 * of that mode.
 */
export function serializeMarketData(tick: Tick, mode: DataLevel, depth: number, broker: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      type: 'market_data',
      symbol: tick.symbol,
      exchange: tick.exchange,
      mode,
      data: marketDataFields(tick, mode, depth),
      broker,
    }),
  );
}

/**
 * Whether `tick` holds the data of `mode`: a tick produced before its symbol's upstream level was
 * raised lacks the quote or the book, and serialized at the higher mode would show zeros and an
 * empty book to a client that asked for them.
 */
export function carriesMode(tick: Tick, mode: DataLevel): boolean {
  return mode === 1 || (mode === 2 ? tick.quote !== undefined : tick.depth !== undefined);
}

/** The `data` object of a market_data message: the fields PROTOCOL.md lists for the mode. */
export function marketDataFields(tick: Tick, mode: DataLevel, depth: number): Record<string, unknown> {
  const data: Record<string, unknown> = {
    symbol: tick.symbol,
    exchange: tick.exchange,
    mode,
    ltp: tick.ltp,
    ltt: tick.ltt,
    timestamp: tick.timestamp,
  };
  if (mode === 1) return data;
  const q = tick.quote;
  Object.assign(data, {
    volume: q?.volume ?? 0,
    open: q?.open ?? 0,
    high: q?.high ?? 0,
    low: q?.low ?? 0,
    close: q?.close ?? 0,
    last_trade_quantity: q?.lastTradeQuantity ?? 0,
    average_price: q?.averagePrice ?? 0,
    total_buy_quantity: q?.totalBuyQuantity ?? 0,
    total_sell_quantity: q?.totalSellQuantity ?? 0,
    change: q?.change ?? 0,
    change_percent: q?.changePercent ?? 0,
  });
  if (mode === 2) return data;
  Object.assign(data, {
    oi: q?.oi ?? 0,
    upper_circuit: q?.upperCircuit ?? 0,
    lower_circuit: q?.lowerCircuit ?? 0,
    depth: {
      buy: levels(tick.depth?.buy, depth),
      sell: levels(tick.depth?.sell, depth),
    },
  });
  return data;
}

function levels(side: BookSide | undefined, depth: number): DepthLevel[] {
  return side ? unpackLevels(side, depth) : [];
}
