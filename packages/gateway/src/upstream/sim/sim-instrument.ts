import { hashString, mix32, unit } from './prng.js';

/**
 * The fixed parameters of one simulated symbol. They depend only on the market's seed and the
 * symbol's name, never on its position in the universe, so `BTC/USDT` moves the same way in a
 * market of 3 symbols as in one of 100,000.
 */
export interface SimInstrument {
  readonly symbol: string;
  /** The per-symbol seed every random draw of this symbol starts from. */
  readonly seed: number;
  /** The price the random walk is centred on. */
  readonly basePrice: number;
  readonly logBasePrice: number;
  /** Relative volatility: BTC 0.5, SOL 1, altcoins 1 to 2.5; see VOLATILITY_PER_UNIT in sim-price-path.ts. */
  readonly volatility: number;
  /** 10^decimals of the price tick: prices carry about six significant digits. */
  readonly priceScale: number;
  /** 10^decimals of the quantity step. */
  readonly amountScale: number;
  /** Typical traded quantity per UTC day, in base units. */
  readonly dailyVolume: number;
}

interface MajorParameters {
  basePrice: number;
  volatility: number;
  dailyVolume: number;
}

const MAJORS: ReadonlyMap<string, MajorParameters> = new Map([
  ['BTC/USDT', { basePrice: 65_000, volatility: 0.5, dailyVolume: 25_000 }],
  ['ETH/USDT', { basePrice: 3_500, volatility: 0.7, dailyVolume: 350_000 }],
  ['SOL/USDT', { basePrice: 150, volatility: 1, dailyVolume: 4_000_000 }],
]);

const SIGNIFICANT_DIGITS = 6;

/** Derives the parameters of `symbol` from the market's seed and the symbol alone. */
export function createInstrument(marketSeed: number, symbol: string): SimInstrument {
  const seed = hashString(symbol, marketSeed);
  const major = MAJORS.get(symbol);
  const draw = (salt: number) => unit(mix32(seed ^ salt));
  // Altcoins: prices log-uniform from 0.001 to about 2,000 USDT; 1 to 2.5 times SOL's volatility;
  // a daily turnover of 10^5 to 10^8 USDT.
  const basePrice = major?.basePrice ?? 10 ** (-3 + 6.3 * draw(0x51a7));
  const volatility = major?.volatility ?? 1 + 1.5 * draw(0x0a7f);
  const dailyVolume = major?.dailyVolume ?? 10 ** (5 + 3 * draw(0x7e11)) / basePrice;
  const magnitude = Math.floor(Math.log10(basePrice));
  return {
    symbol,
    seed,
    basePrice,
    logBasePrice: Math.log(basePrice),
    volatility,
    priceScale: 10 ** clamp(SIGNIFICANT_DIGITS - 1 - magnitude, 0, 10),
    amountScale: 10 ** clamp(magnitude + 2, 0, 8),
    dailyVolume,
  };
}

/** Rounds a price to the instrument's tick; dividing by a power of ten keeps the decimals clean. */
export function roundPrice(instrument: SimInstrument, price: number): number {
  return Math.round(price * instrument.priceScale) / instrument.priceScale;
}

/** Rounds a quantity to the instrument's step, never below one step. */
export function roundAmount(instrument: SimInstrument, amount: number): number {
  return Math.max(1, Math.round(amount * instrument.amountScale)) / instrument.amountScale;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
