/**
 * Codes of the errors the gateway throws inside itself, in Node's style (`ERR_<AREA>_<WHAT>`), as
 * the toolkit's are (`ERR_LIFECYCLE_…`). Callers branch on `code` or `instanceof`, never on the
 * message. The codes clients see on the wire are separate contracts: the WebSocket protocol's
 * (protocol/error-codes.ts, OpenAlgo's names) and the HTTP API's (http/http-errors.ts).
 */
export const GatewayErrorCode = {
  /** The configuration holds invalid values, or a server refused one at start (ConfigError). */
  CONFIG_INVALID: 'ERR_CONFIG_INVALID',

  /** An upstream exchange does not offer the symbol. */
  UNKNOWN_SYMBOL: 'ERR_UPSTREAM_UNKNOWN_SYMBOL',
  /** A data level other than 1 (LTP), 2 (Quote) or 3 (Depth). */
  INVALID_LEVEL: 'ERR_UPSTREAM_INVALID_LEVEL',
  /** An adapter already holds as many subscriptions as it allows. */
  SUBSCRIPTION_LIMIT: 'ERR_UPSTREAM_SUBSCRIPTION_LIMIT',
  /** An exchange could not be set up or its symbol list could not be loaded; `cause` says why. */
  UPSTREAM_UNAVAILABLE: 'ERR_UPSTREAM_UNAVAILABLE',
  /** The adapter was closed; it accepts no new subscriptions. */
  ADAPTER_CLOSED: 'ERR_UPSTREAM_ADAPTER_CLOSED',

  /** A scan asked an exchange client for a symbol the exchange does not list. */
  EXCHANGE_UNKNOWN_SYMBOL: 'ERR_EXCHANGE_UNKNOWN_SYMBOL',
  /** An exchange client was used after the manager closed it. */
  EXCHANGE_CLIENT_CLOSED: 'ERR_EXCHANGE_CLIENT_CLOSED',
  /** An authenticated exchange client was asked for, and no credentials are configured. */
  EXCHANGE_NO_CREDENTIALS: 'ERR_EXCHANGE_NO_CREDENTIALS',
  /** ccxt has no exchange of that id. */
  EXCHANGE_UNKNOWN: 'ERR_EXCHANGE_UNKNOWN',

  /** A subscribe finished after its client had disconnected; nothing was kept for it. */
  CLIENT_GONE: 'ERR_MARKET_CLIENT_GONE',

  /** The key-value store is unreachable (Redis down or reconnecting). */
  KV_UNAVAILABLE: 'ERR_KV_UNAVAILABLE',
  /** Too many store operations are waiting; refused instead of queued without bound. */
  KV_BACKLOG_FULL: 'ERR_KV_BACKLOG_FULL',
  /** The store was closed. */
  KV_CLOSED: 'ERR_KV_CLOSED',
  /** The server refused the connection's settings (password, database index): no retry helps. */
  KV_REFUSED: 'ERR_KV_REFUSED',

  /** NATS_URL is set and the NATS server cannot be reached, or has no JetStream key-value store. */
  CLUSTER_UNREACHABLE: 'ERR_CLUSTER_UNREACHABLE',
  /** No node of the cluster answered for an exchange (no lease holder yet, or NATS is down). */
  CLUSTER_NO_HOLDER: 'ERR_CLUSTER_NO_HOLDER',

  /** The report database refused the rows of waiting reports; the others were saved. */
  REPORTS_REFUSED: 'ERR_REPORTS_REFUSED',
} as const;

export type GatewayErrorCode = (typeof GatewayErrorCode)[keyof typeof GatewayErrorCode];

/** Base class of the gateway's own errors. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
  }
}
