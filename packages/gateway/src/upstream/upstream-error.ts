import type { DataLevel } from '../domain/tick.js';

/**
 * Stable codes of the errors upstream adapters reject with; callers test `code` or `instanceof`,
 * never the message text.
 */
export const UpstreamErrorCode = {
  /** The exchange does not offer the symbol. */
  UNKNOWN_SYMBOL: 'UNKNOWN_SYMBOL',
  /** The data level is not 1 (LTP), 2 (Quote) or 3 (Depth). */
  INVALID_LEVEL: 'INVALID_LEVEL',
  /** The adapter already holds as many subscriptions as it allows. */
  SUBSCRIPTION_LIMIT: 'SUBSCRIPTION_LIMIT',
  /** The exchange could not be set up or its symbol list could not be loaded; `cause` says why. */
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  /** The adapter was closed; it accepts no new subscriptions. */
  ADAPTER_CLOSED: 'ADAPTER_CLOSED',
} as const;

export type UpstreamErrorCode = (typeof UpstreamErrorCode)[keyof typeof UpstreamErrorCode];

/** What an upstream adapter rejects with; `adapter` names the adapter (e.g. 'sim', 'ccxt:binance'). */
export class UpstreamError extends Error {
  readonly code: UpstreamErrorCode;
  readonly adapter: string;

  constructor(code: UpstreamErrorCode, adapter: string, message: string, options?: ErrorOptions) {
    super(`${adapter}: ${message}`, options);
    this.name = 'UpstreamError';
    this.code = code;
    this.adapter = adapter;
  }
}

/** Throws an UpstreamError `INVALID_LEVEL` unless `level` is 1, 2 or 3 (callers may be untyped JS). */
export function checkLevel(adapter: string, level: number): asserts level is DataLevel {
  if (level !== 1 && level !== 2 && level !== 3) {
    throw new UpstreamError(
      UpstreamErrorCode.INVALID_LEVEL,
      adapter,
      `level must be 1, 2 or 3; received ${String(level)}`,
    );
  }
}

/** The message of anything thrown, for `lastError` in stats. */
export function errorMessage(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}
