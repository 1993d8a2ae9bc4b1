/** Why a key-value operation failed. */
export const KvErrorCode = {
  /** The store is unreachable (Redis down or reconnecting). */
  UNAVAILABLE: 'KV_UNAVAILABLE',
  /** Too many operations are waiting for a reconnect; refused instead of queued without bound. */
  BACKLOG_FULL: 'KV_BACKLOG_FULL',
  /** The store was closed. */
  CLOSED: 'KV_CLOSED',
  /** The server refused the connection's settings (password, database index): not worth retrying. */
  REFUSED: 'KV_REFUSED',
} as const;
export type KvErrorCode = (typeof KvErrorCode)[keyof typeof KvErrorCode];

export class KvError extends Error {
  readonly code: KvErrorCode;

  constructor(code: KvErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KvError';
    this.code = code;
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
