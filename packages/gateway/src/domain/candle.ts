/** `[timestamp, open, high, low, close, volume]`, as ccxt's OHLCV. */
export type Candle = [
  timestamp: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
];

/** Candle length per timeframe, in ms; candles open at multiples of it since the epoch (UTC). */
export const TIMEFRAME_MS = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
} as const;

export type Timeframe = keyof typeof TIMEFRAME_MS;

/** Every timeframe, shortest first. */
export const TIMEFRAMES = Object.keys(TIMEFRAME_MS) as [Timeframe, ...Timeframe[]];
