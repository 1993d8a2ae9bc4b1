import type { DataLevel } from '../domain/tick.js';
import { ErrorCode, ProtocolError } from './error-codes.js';

/** Mode numbers and their labels as acknowledgements name them. */
export const MODE_LABELS = { 1: 'LTP', 2: 'Quote', 3: 'Depth' } as const satisfies Record<DataLevel, string>;
export type ModeLabel = (typeof MODE_LABELS)[DataLevel];

/** A Map, not an object literal: a label such as "constructor" must not find Object's own members. */
const BY_LABEL = new Map<string, DataLevel>([
  ['ltp', 1],
  ['quote', 2],
  ['depth', 3],
]);

/**
 * Reads a mode: 1, 2, 3 or the case-insensitive labels LTP, Quote, Depth. Booleans are refused
 * explicitly (in Python `True == 1`, so upstream silently took `true` as LTP); `undefined`
 * gives the default.
 */
export function parseMode(value: unknown, fallback: DataLevel): DataLevel {
  if (value === undefined || value === null) return fallback;
  if (value === 1 || value === 2 || value === 3) return value;
  if (typeof value === 'string') {
    const level = BY_LABEL.get(value.trim().toLowerCase());
    if (level !== undefined) return level;
  }
  throw new ProtocolError(
    ErrorCode.INVALID_MODE,
    `Invalid mode ${describe(value)}; expected 1 (LTP), 2 (Quote), or 3 (Depth)`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'array' : typeof value;
}
