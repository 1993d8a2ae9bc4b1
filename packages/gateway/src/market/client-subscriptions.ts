import type { Lease } from '@steadystate/lifecycle';
import type { AdapterHandle } from '../upstream/adapter-manager.js';
import type { Subscription } from './topic-index.js';

/** A client's lease on one exchange's adapter, held while the client has subscriptions there. */
export interface ExchangeLease {
  readonly lease: Lease<AdapterHandle>;
  subscriptions: number;
}

/** One client's subscriptions, keyed by topic and mode, and its adapter leases. */
export class ClientSubscriptions {
  readonly byKey = new Map<string, Subscription>();
  readonly leases = new Map<string, ExchangeLease>();
  /** The client has gone and everything it held was released; nothing may be attached any more. */
  closed = false;

  get size(): number {
    return this.byKey.size;
  }
}

/** The key of a client's subscription to a topic at a mode. */
export function subscriptionKey(topicKey: string, mode: number): string {
  return `${topicKey}|${mode}`;
}
