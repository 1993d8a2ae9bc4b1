import { GatewayError, GatewayErrorCode } from '../../errors.js';
import type { Logger } from '@steadystate/lifecycle';
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
  if (!Class)
    throw new GatewayError(GatewayErrorCode.EXCHANGE_UNKNOWN, `ccxt has no exchange "${exchangeId}"`);
  return new Class({ enableRateLimit: true });
}

function classes(namespace: object): Record<string, ExchangeClass | undefined> {
  return namespace as Record<string, ExchangeClass | undefined>;
}

interface Destroyable {
  destroy?: () => unknown;
}

/**
 * Closes a ccxt exchange completely, each step on its own so one failure does not skip the next:
 * its WebSockets (`close()`), then its REST connection pool. ccxt's close() leaves the pool (an
 * undici Agent per instance that keeps idle sockets for 60 s); destroy() also drops requests
 * still in flight. Failures are logged, never thrown.
 */
export async function closeCcxtExchange(exchange: Exchange, owner: string, logger: Logger): Promise<void> {
  const steps: [string, () => unknown][] = [
    [
      'closing the ccxt exchange',
      () => (typeof exchange.close === 'function' ? exchange.close() : undefined),
    ],
    [
      'destroying the HTTP connection pool',
      () => (exchange.fetchDispatcher as Destroyable | undefined)?.destroy?.(),
    ],
  ];
  for (const [step, run] of steps) {
    try {
      await run();
    } catch (error) {
      logger.error({ owner, step, err: error }, 'closing the exchange: a step failed');
    }
  }
}
