export { ConfigError, loadConfig, type GatewayConfig } from './config/config.js';
export { startGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { ExchangeCatalog, type ExchangeEntry } from './upstream/exchange-catalog.js';
export type {
  AdapterStatus,
  TickSink,
  UpstreamAdapter,
  UpstreamAdapterStats,
} from './upstream/upstream-adapter.js';
export type { DataLevel, DepthBook, DepthLevel, QuoteFields, Tick } from './domain/tick.js';
export { levelCount, packLevels, unpackLevels, type BookSide } from './domain/book-side.js';
export { serializeMarketData } from './protocol/market-data.js';
export type { GatewayStats } from './stats/gateway-stats.js';
