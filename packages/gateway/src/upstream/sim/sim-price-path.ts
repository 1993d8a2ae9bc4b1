import { mix32, unit } from './prng.js';
import { roundPrice, type SimInstrument } from './sim-instrument.js';

/**
 * The price path of a simulated symbol: a geometric random walk built as a sum of octaves of
 * seeded value noise. Octave j places random values every 100 ms * 2^j and interpolates
 * linearly between them, with an amplitude growing as the square root of the spacing, so
 * increments scale like a Brownian motion's from 100 ms up to about ten days. Beyond that the
 * walk reverts towards the base price: a simulator that runs for weeks never drifts to zero.
 *
 * The price at any instant is a pure function of (seed, symbol, time), computed directly in
 * O(octaves): no history is replayed or stored, whatever the time or the set of subscriptions.
 */

const BASE_SPACING_MS = 100;
const OCTAVES = 24;
/** Scales the noise sum to a daily log-return deviation of about 4% per unit of volatility. */
const VOLATILITY_PER_UNIT = 0.000069;
/** Lattice values are uniform on [-1, 1]; sqrt(3) gives them unit variance. */
const UNIT_VARIANCE = Math.sqrt(3);

/** The natural logarithm of the unrounded price at `time` (ms since the epoch). */
export function logPriceAt(instrument: SimInstrument, time: number): number {
  let sum = 0;
  let spacing = BASE_SPACING_MS;
  let amplitude = Math.sqrt(BASE_SPACING_MS / 1000) * UNIT_VARIANCE;
  for (let octave = 0; octave < OCTAVES; octave++) {
    const position = time / spacing;
    const index = Math.floor(position);
    const octaveSeed = instrument.seed ^ Math.imul(octave + 1, 0x27d4eb2f);
    const from = lattice(octaveSeed, index);
    const to = lattice(octaveSeed, index + 1);
    sum += amplitude * (from + (to - from) * (position - index));
    spacing *= 2;
    amplitude *= Math.SQRT2;
  }
  return instrument.logBasePrice + VOLATILITY_PER_UNIT * instrument.volatility * sum;
}

/** The traded price at `time`, rounded to the instrument's tick. */
export function priceAt(instrument: SimInstrument, time: number): number {
  return roundPrice(instrument, Math.exp(logPriceAt(instrument, time)));
}

/**
 * The random value of one lattice point, uniform on [-1, 1]. One finalizer over multiplied
 * parts instead of a full hash chain: this runs 48 times per price.
 */
function lattice(octaveSeed: number, index: number): number {
  const low = Math.imul(index >>> 0, 0x9e3779b1);
  const high = Math.imul(Math.floor(index / 4_294_967_296), 0x85ebca77);
  return 2 * unit(mix32(octaveSeed ^ low ^ high)) - 1;
}
