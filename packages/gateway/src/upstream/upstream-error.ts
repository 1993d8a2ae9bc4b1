import { GatewayError, GatewayErrorCode } from '../errors.js';
import type { DataLevel } from '../domain/tick.js';

/** What an upstream adapter rejects with; `adapter` names the adapter (e.g. 'sim', 'ccxt:binance'). */
export class UpstreamError extends GatewayError {
  readonly adapter: string;

  constructor(code: UpstreamErrorCode, adapter: string, message: string, options?: ErrorOptions) {
    super(code, `${adapter}: ${message}`, options);
    this.name = 'UpstreamError';
    this.adapter = adapter;
  }
}

/** The codes an upstream adapter rejects with. */
export type UpstreamErrorCode =
  | typeof GatewayErrorCode.UNKNOWN_SYMBOL
  | typeof GatewayErrorCode.INVALID_LEVEL
  | typeof GatewayErrorCode.SUBSCRIPTION_LIMIT
  | typeof GatewayErrorCode.UPSTREAM_UNAVAILABLE
  | typeof GatewayErrorCode.ADAPTER_CLOSED;

/** Throws an UpstreamError `INVALID_LEVEL` unless `level` is 1, 2 or 3 (callers may be untyped JS). */
export function checkLevel(adapter: string, level: number): asserts level is DataLevel {
  if (level !== 1 && level !== 2 && level !== 3) {
    throw new UpstreamError(
      GatewayErrorCode.INVALID_LEVEL,
      adapter,
      `level must be 1, 2 or 3; received ${String(level)}`,
    );
  }
}

/** The message of anything thrown, for `lastError` in stats. */
export function errorMessage(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}
