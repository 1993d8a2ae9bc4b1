import { GatewayError, GatewayErrorCode } from '../errors.js';
import type { Logger } from '@steadystate/lifecycle';
import { closeCcxtExchange, createCcxtExchange } from '../upstream/ccxt/ccxt-exchange.js';
import type { SimMarket } from '../upstream/sim/sim-market.js';
import { CcxtExchangeClient } from './ccxt-exchange-client.js';
import type { ExchangeClient, ExchangeKey } from './exchange-client.js';
import { SimExchangeClient } from './sim-exchange-client.js';

/**
 * The factory the exchange manager uses: the simulated market for SIM, ccxt for the rest (in
 * sandbox mode for testnet, with the contract type as ccxt's default market type). Authenticated
 * clients need credentials, which this gateway does not hold: asking for one fails clearly.
 */
export function exchangeClientFactory(market: SimMarket, logger: Logger) {
  return async (key: ExchangeKey): Promise<ExchangeClient> => {
    if (key.access === 'authenticated') {
      throw new GatewayError(
        GatewayErrorCode.EXCHANGE_NO_CREDENTIALS,
        `no credentials are configured for authenticated ${key.exchange} clients`,
      );
    }
    if (key.exchange === 'SIM') return new SimExchangeClient(key, market);
    const exchange = await createCcxtExchange(key.exchange.toLowerCase());
    try {
      if (key.testnet) exchange.setSandboxMode(true);
      exchange.options = { ...exchange.options, defaultType: key.contractType };
    } catch (error) {
      await closeCcxtExchange(exchange, `scan client ${key.exchange}`, logger);
      throw error;
    }
    return new CcxtExchangeClient(key, exchange, logger);
  };
}
