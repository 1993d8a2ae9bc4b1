import { z } from 'zod';
import { SYMBOL_PATTERN } from '../domain/symbols.js';
import type { Bus } from './bus.js';
import { encodeSubjectToken } from './subject-token.js';

/**
 * The lease holder answers requests on `<cluster>.symbols.<exchange token>` with the exchange's
 * symbol list (`{"v":1,"symbols":[...]}`), so every node can validate subscriptions without a
 * connection of its own to the exchange.
 */
export function symbolsSubject(bus: Bus, exchange: string): string {
  return bus.subject('symbols', encodeSubjectToken(exchange));
}

const listSchema = z.strictObject({
  v: z.literal(1),
  symbols: z.array(z.string().regex(SYMBOL_PATTERN)).max(200_000),
});

export function encodeSymbolList(symbols: readonly string[]): Uint8Array {
  return Buffer.from(JSON.stringify({ v: 1, symbols }));
}

/** The symbols a reply lists, or undefined when it is not one `encodeSymbolList` makes. */
export function decodeSymbolList(bytes: Uint8Array): string[] | undefined {
  try {
    const parsed = listSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return parsed.success ? parsed.data.symbols : undefined;
  } catch {
    return undefined;
  }
}
