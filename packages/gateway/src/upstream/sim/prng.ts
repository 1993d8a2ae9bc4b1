/**
 * Seeded pseudo-randomness for the simulated market. Everything is a pure function of its
 * inputs, so a price at a given time can be computed directly instead of replaying history.
 */

const GOLDEN = 0x9e3779b9;
const TWO_POW_32 = 4_294_967_296;

/** murmur3's 32-bit finalizer: neighbouring inputs give unrelated outputs. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds one more 32-bit value into a hash. */
export function combine(hash: number, value: number): number {
  return mix32(hash ^ (mix32(value) + GOLDEN + (hash << 6) + (hash >>> 2)));
}

/** Folds a non-negative integer of up to 53 bits (a time index in ms) into a hash. */
export function combineIndex(hash: number, index: number): number {
  return combine(combine(hash, index >>> 0), Math.floor(index / TWO_POW_32));
}

/** FNV-1a over the UTF-16 code units of `text`, mixed with `seed`. */
export function hashString(text: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** A hash as a number in [0, 1). */
export function unit(hash: number): number {
  return hash / TWO_POW_32;
}
