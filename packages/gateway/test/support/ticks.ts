import type { Tick } from '../../src/domain/tick.js';

/**
 * A Quote-level tick with what indices and reports read: the price, the change in percent (the
 * previous close follows from it) and the volume; the other quote fields are plain.
 */
export function quotedTick(
  symbol: string,
  ltp: number,
  changePercent: number,
  volume: number,
  at: number,
): Tick {
  return {
    exchange: 'SIM',
    symbol,
    timestamp: at,
    ltp,
    ltt: at,
    quote: {
      volume,
      open: ltp,
      high: ltp,
      low: ltp,
      close: ltp / (1 + changePercent / 100),
      lastTradeQuantity: 1,
      averagePrice: ltp,
      totalBuyQuantity: 0,
      totalSellQuantity: 0,
      change: 0,
      changePercent,
      oi: 0,
      upperCircuit: 0,
      lowerCircuit: 0,
    },
  };
}
