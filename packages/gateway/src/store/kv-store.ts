import { GatewayError, type GatewayErrorCode } from '../errors.js';

/** Why a key-value operation failed: KV_UNAVAILABLE, KV_BACKLOG_FULL, KV_CLOSED or KV_REFUSED. */
export type KvErrorCode =
  | typeof GatewayErrorCode.KV_UNAVAILABLE
  | typeof GatewayErrorCode.KV_BACKLOG_FULL
  | typeof GatewayErrorCode.KV_CLOSED
  | typeof GatewayErrorCode.KV_REFUSED;

export class KvError extends GatewayError {
  constructor(code: KvErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'KvError';
  }
}

export interface KvStatus {
  backend: 'redis' | 'memory' | 'none';
  /** False while the backend is unreachable. */
  connected: boolean;
  /** Operations waiting for the backend. */
  pending: number;
  errors: number;
  reconnects: number;
  keys?: number;
}

/**
 * The key-value store the indices and dashboard use: Redis when REDIS_URL is set, an embedded
 * in-memory store otherwise. Values are strings (JSON by convention).
 */
export interface KeyValueStore {
  /**
   * Connects. Resolves while the store is unreachable (it keeps retrying, and reports itself
   * disconnected meanwhile); rejects with KV_REFUSED when the server refuses the configuration,
   * which no retry would fix.
   */
  open(): Promise<void>;
  get(key: string): Promise<string | null>;
  /** Stores `value`, expiring after `ttlSeconds` when given. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<void>;
  status(): KvStatus;
  /** Releases the connection. Idempotent. */
  close(): Promise<void>;
}
