import type { Exchange } from 'ccxt';

/** Creates the ccxt exchange instance an adapter talks through; the adapter owns and closes it. */
export type CreateExchange = (exchangeId: string) => Exchange | Promise<Exchange>;

type ExchangeClass = new (config: object) => Exchange;

/**
 * The default {@link CreateExchange}: ccxt's pro class of the exchange where there is one (it
 * can stream over WebSocket), its REST class otherwise, with ccxt's rate limiter on. ccxt is
 * imported on first use, not at start-up: loading it takes about 40 MB of heap and half a
 * second, which a gateway serving only the simulated exchange should not pay.
 */
export async function createCcxtExchange(exchangeId: string): Promise<Exchange> {
  const ccxt = await import('ccxt');
  // `exchanges` maps every exchange id to its REST class; `pro` also holds other exports.
  const Class = Object.hasOwn(ccxt.exchanges, exchangeId)
    ? (classes(ccxt.pro)[exchangeId] ?? classes(ccxt.exchanges)[exchangeId])
    : undefined;
  if (!Class) throw new Error(`ccxt has no exchange "${exchangeId}"`);
  return new Class({ enableRateLimit: true });
}

function classes(namespace: object): Record<string, ExchangeClass | undefined> {
  return namespace as Record<string, ExchangeClass | undefined>;
}
