import { seededRandom } from '@steadystate/lifecycle';
import { hashString } from './prng.js';

/** The quote currency of every simulated pair. */
export const QUOTE_CURRENCY = 'USDT';

/** The pairs every universe starts with, in this order. */
export const MAJOR_SYMBOLS: readonly string[] = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const RESERVED_BASES = new Set(['BTC', 'ETH', 'SOL', QUOTE_CURRENCY]);

/**
 * The symbols of a simulated exchange: the majors first, then `count - 3` unique tickers of 3 to
 * 5 letters drawn from `seed` (e.g. `QRTX/USDT`). Drawn in sequence, so a smaller universe of
 * the same seed is a prefix of a larger one.
 */
export function generateUniverse(seed: number, count: number): string[] {
  const random = seededRandom(hashString('universe', seed));
  const symbols = MAJOR_SYMBOLS.slice(0, count);
  const taken = new Set(RESERVED_BASES);
  while (symbols.length < count) {
    const base = drawTicker(random);
    if (taken.has(base)) continue;
    taken.add(base);
    symbols.push(`${base}/${QUOTE_CURRENCY}`);
  }
  return symbols;
}

/** 3 letters 30% of the time, 4 letters 50%, 5 letters 20%: there are only 17,576 three-letter tickers. */
function drawTicker(random: () => number): string {
  const r = random();
  const length = r < 0.3 ? 3 : r < 0.8 ? 4 : 5;
  let ticker = '';
  for (let i = 0; i < length; i++) ticker += LETTERS.charAt(Math.floor(random() * LETTERS.length));
  return ticker;
}
