import type { Logger, MemoryMonitor } from '@steadystate/lifecycle';
import type { ApiKeyStore } from '../../auth/api-keys.js';
import type { AuthFailures } from '../../auth/auth-failures.js';
import type { SubscriptionService } from '../../market/subscription-service.js';
import type { MessageLimits } from '../../protocol/client-messages.js';
import type { AdapterManager } from '../../upstream/adapter-manager.js';
import type { ClientConnection } from '../client-connection.js';

/** Everything the message handlers use; built once by the gateway. */
export interface HandlerContext {
  apiKeys: ApiKeyStore;
  /** Failed authentications per address; a blocked address is refused without a check. */
  authFailures: AuthFailures;
  /** Null when admin actions are disabled. */
  adminToken: string | null;
  adapters: AdapterManager;
  subscriptions: SubscriptionService;
  limits: MessageLimits;
  monitor: MemoryMonitor;
  /** The full stats object (SPEC section 4), as `get_stats` and `GET /stats` answer it (with the cluster's, gathered over NATS). */
  stats: () => object | Promise<object>;
  logger: Logger;
}

/** One action's handler: returns the reply to send, or nothing when it sent its own. */
export type ActionHandler = (
  client: ClientConnection,
  message: Record<string, unknown>,
  context: HandlerContext,
  requestId: string | number | undefined,
) => object | undefined | Promise<object | undefined>;

/** Adds `request_id` to a reply when the request carried one. */
export function withRequestId<T extends object>(reply: T, requestId: string | number | undefined): T {
  return requestId === undefined ? reply : { ...reply, request_id: requestId };
}
