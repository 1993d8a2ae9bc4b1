import type { Logger } from '@steadystate/lifecycle';
import type { GatewayConfig } from '../config/config.js';
import { CcxtAdapter } from '../upstream/ccxt/ccxt-adapter.js';
import { ExchangeCatalog, type ExchangeEntry } from '../upstream/exchange-catalog.js';
import { SimAdapter } from '../upstream/sim/sim-adapter.js';
import type { SimMarket } from '../upstream/sim/sim-market.js';

/**
 * The catalog the configuration asks for: the simulated exchange always (one market shared by
 * every SIM adapter the gateway creates over its life and by the scans, so prices continue across
 * restarts of the adapter and scans see the prices clients see), plus one ccxt exchange per
 * CCXT_EXCHANGES id.
 */
export function catalogFromConfig(config: GatewayConfig, market: SimMarket, logger: Logger): ExchangeCatalog {
  const sim: ExchangeEntry = {
    exchange: 'SIM',
    broker: 'sim',
    create: (sink) => new SimAdapter({ sink, market, ticksPerSecond: config.sim.ticksPerSecond, logger }),
  };
  const ccxt = config.ccxt.exchanges.map((id): ExchangeEntry => ({
    exchange: id.toUpperCase(),
    broker: `ccxt:${id}`,
    create: (sink) =>
      new CcxtAdapter({ exchangeId: id, sink, pollIntervalMs: config.ccxt.pollIntervalMs, logger }),
  }));
  return new ExchangeCatalog([sim, ...ccxt]);
}
