import type { BoundedCache, MemoryMonitor, RingBuffer } from '@steadystate/lifecycle';
import type { SubscriptionService } from '../market/subscription-service.js';
import type { AdapterManager } from '../upstream/adapter-manager.js';
import type { Tick } from '../domain/tick.js';
import type { ClientRegistry } from '../ws/client-registry.js';

export interface MarketCleanupParts {
  monitor: MemoryMonitor;
  subscriptions: SubscriptionService;
  adapters: AdapterManager;
  clients: ClientRegistry;
  symbolCache: BoundedCache<string, boolean>;
  ring: RingBuffer<Tick>;
  /** Called for a client entry found with a closed socket, to release what it held. */
  releaseClient: Parameters<ClientRegistry['pruneClosed']>[0];
}

/**
 * The gateway's cleanup callbacks, cheapest and safest first. None of them touches anything a
 * live client uses: orphans have no subscribers, unleased adapters no clients, and caches and
 * queued ticks are rebuilt by the next ticks. Returns the function that removes them all.
 */
export function registerMarketCleanups(parts: MarketCleanupParts): () => void {
  const { monitor } = parts;
  const unregister = [
    monitor.registerCleanup({
      name: 'orphaned-symbols',
      priority: 10,
      minLevel: 'WARNING',
      run: async () => {
        const result = await parts.subscriptions.cleanupOrphans();
        return { freed: result.cleaned_count, detail: { ...result } };
      },
    }),
    monitor.registerCleanup({
      name: 'idle-adapters',
      priority: 20,
      minLevel: 'WARNING',
      run: () => parts.adapters.closeUnleased(),
    }),
    monitor.registerCleanup({
      name: 'client-metrics',
      priority: 30,
      minLevel: 'WARNING',
      run: () => parts.clients.pruneClosed(parts.releaseClient),
    }),
    monitor.registerCleanup({
      name: 'cache-trims',
      priority: 40,
      minLevel: 'HIGH',
      run: async ({ aggressive }) => {
        // Trimmed, not shrunk: the capacities stay, so the caches refill as they are used.
        const fraction = aggressive ? 1 : 0.5;
        let freed = await parts.symbolCache.trim(fraction);
        for (const handle of parts.adapters.handles()) freed += await handle.lastTicks.trim(fraction);
        return freed;
      },
    }),
    monitor.registerCleanup({
      name: 'ring-buffer',
      priority: 50,
      minLevel: 'CRITICAL',
      // Queued ticks are about to be superseded by fresher ones; dropping them is counted as drops.
      run: () => parts.ring.clear(),
    }),
  ];
  return () => {
    for (const remove of unregister) remove();
  };
}
