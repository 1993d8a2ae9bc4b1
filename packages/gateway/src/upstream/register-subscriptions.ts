import type { StructureRegistry } from '@steadystate/lifecycle';

/**
 * Registers an adapter's subscription table as `upstream.<adapter>.subscriptions` when a
 * structure registry is given, so stats show how many symbols each adapter holds against its
 * cap. Returns the function that unregisters it (a no-op without a registry).
 */
export function registerSubscriptions(
  structures: StructureRegistry | undefined,
  adapter: string,
  capacity: number,
  subscriptions: ReadonlyMap<string, unknown>,
): () => void {
  if (!structures) return () => {};
  return structures.register({
    name: `upstream.${adapter}.subscriptions`,
    capacity,
    get size() {
      return subscriptions.size;
    },
  });
}
