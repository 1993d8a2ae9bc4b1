export { ConfigError, loadConfig, type GatewayConfig } from './config/config.js';
export { startGateway, type Gateway } from './gateway.js';
