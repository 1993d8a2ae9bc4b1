/**
 * WebSocket close codes the gateway uses, each saying why. 4xxx codes are ours (the range the
 * protocol leaves to applications); the rest are RFC 6455's.
 */
export const CloseCode = {
  /** The gateway is shutting down (SIGTERM). */
  GOING_AWAY: 1001,
  /** Sustained flooding past WS_MAX_MESSAGES_PER_SECOND. */
  POLICY_VIOLATION: 1008,
  /** A frame larger than the hard cap (16x WS_MAX_FRAME_BYTES, at least 1 MiB); sent by ws itself. */
  MESSAGE_TOO_BIG: 1009,
  /** Memory is CRITICAL, or WS_MAX_CONNECTIONS are connected: try again later. */
  TRY_AGAIN_LATER: 1013,
  /** No successful authenticate within WS_AUTH_GRACE_SECONDS. */
  AUTH_TIMEOUT: 4401,
  /** The client stayed behind (send buffer over WS_MAX_BUFFERED_BYTES) past WS_SLOW_CLIENT_TIMEOUT_SECONDS. */
  SLOW_CONSUMER: 4008,
} as const;
