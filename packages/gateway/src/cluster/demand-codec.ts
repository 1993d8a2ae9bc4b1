import { z } from 'zod';
import type { DataLevel } from '../domain/tick.js';
import { SYMBOL_PATTERN } from '../domain/symbols.js';

/**
 * A node's demand on one exchange as stored in the demand bucket: the symbols its clients
 * subscribe to, grouped by the level they need (`{"v":1,"levels":{"1":[...],"2":[...],"3":[...]}}`),
 * about 12 bytes a symbol, so one value stays under NATS's default 1 MB payload up to some 80,000
 * symbols per node and exchange.
 */
export const DEMAND_FORMAT_VERSION = 1;

const symbols = z.array(z.string().regex(SYMBOL_PATTERN)).max(200_000);
const demandSchema = z.strictObject({
  v: z.literal(DEMAND_FORMAT_VERSION),
  levels: z.strictObject({ 1: symbols.optional(), 2: symbols.optional(), 3: symbols.optional() }),
});

export function encodeDemand(demand: ReadonlyMap<string, DataLevel>): string {
  const levels: Record<DataLevel, string[]> = { 1: [], 2: [], 3: [] };
  for (const [symbol, level] of demand) levels[level].push(symbol);
  return JSON.stringify({ v: DEMAND_FORMAT_VERSION, levels });
}

/** The demand a value holds, or undefined when it is not one `encodeDemand` makes. */
export function decodeDemand(text: string): Map<string, DataLevel> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = demandSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const demand = new Map<string, DataLevel>();
  for (const level of [1, 2, 3] as const) {
    for (const symbol of parsed.data.levels[level] ?? []) {
      demand.set(symbol, Math.max(demand.get(symbol) ?? 0, level) as DataLevel);
    }
  }
  return demand;
}
