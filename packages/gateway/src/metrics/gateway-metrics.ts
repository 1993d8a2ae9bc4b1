import {
  cumulativeCounter,
  registerLifecycleMetrics,
  type LifecycleMetrics,
  type CounterSample,
} from '@steadystate/lifecycle';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Bus } from '../cluster/bus.js';
import type { StatsSources } from '../stats/gateway-stats.js';
import { registerScanMetrics } from './scan-metrics.js';

let processRegistry: Registry | undefined;

/**
 * Node's runtime metrics (prom-client's defaults). They observe the whole process and cannot be
 * unregistered, so they are registered once per process, not once per gateway.
 */
function runtimeRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The gateway's Prometheus metrics and their teardown. */
export interface GatewayMetrics {
  /** Runtime defaults, the toolkit's metrics and the gateway's, in one registry for `/metrics`. */
  readonly registry: Registry;
  close(): Promise<void>;
}

const P = 'steadystate_';

/** Registers the toolkit's and the gateway's metrics, read at scrape time from the live objects. */
export function createGatewayMetrics(s: StatsSources): GatewayMetrics {
  const own = new Registry();
  const lifecycle: LifecycleMetrics = registerLifecycleMetrics({
    registry: own,
    monitor: s.monitor,
    gcObserver: s.gc,
    caches: () => [s.symbolCache, ...[...s.adapters.handles()].map((h) => h.lastTicks)],
    jobs: s.jobs,
    structures: s.structures,
    leakTracker: s.leakTracker,
  });

  gauge(own, 'ws_clients', 'Connected WebSocket clients', () => s.clients.size);
  gauge(own, 'ws_clients_behind', 'Clients whose ticks are being conflated', () => s.clients.behind.size);
  gauge(own, 'upstream_adapters', 'Live upstream adapters', () => s.adapters.count);
  gauge(
    own,
    'upstream_adapter_leases',
    'Leases held on upstream adapters (clients x exchanges)',
    () => s.adapters.stats().leases,
  );
  gauge(own, 'subscribed_symbols', 'Symbols with at least one subscriber', () => s.topics.active);
  gauge(
    own,
    'orphaned_symbols',
    'Symbols subscribed upstream with no subscriber left',
    () => s.topics.orphaned,
  );
  gauge(own, 'client_subscriptions', 'Subscriptions over all clients', () => s.topics.subscriptions);
  gauge(own, 'ring_buffer_items', 'Ticks waiting in the ring buffer', () => s.ring.size);

  const one = (value: number): Iterable<CounterSample<never>> => [[{}, value]];
  const ring = () => s.ring.stats();
  cumulativeCounter(own, `${P}ring_buffer_published_total`, 'Ticks pushed into the ring buffer', [], () =>
    one(ring().published),
  );
  cumulativeCounter(own, `${P}ring_buffer_consumed_total`, 'Ticks taken out by the fan-out', [], () =>
    one(ring().consumed),
  );
  cumulativeCounter(
    own,
    `${P}ring_buffer_dropped_total`,
    'Ticks dropped, oldest first, while the fan-out was behind',
    [],
    () => one(ring().dropped),
  );
  cumulativeCounter(
    own,
    `${P}fanout_serialized_total`,
    'market_data messages serialized (once per mode per tick)',
    [],
    () => one(s.fanout.serialized),
  );
  cumulativeCounter(own, `${P}fanout_deliveries_total`, 'market_data messages handed to clients', [], () =>
    one(s.fanout.deliveries),
  );
  cumulativeCounter(own, `${P}fanout_unrouted_total`, 'Ticks of symbols nobody subscribes to', [], () =>
    one(s.fanout.unrouted),
  );
  cumulativeCounter(own, `${P}ws_connections_total`, 'WebSocket connections by outcome', ['result'], () => [
    [{ result: 'accepted' }, s.sockets.counters.accepted],
    [{ result: 'refused_overloaded' }, s.sockets.counters.refusedOverloaded],
    [{ result: 'refused_full' }, s.sockets.counters.refusedFull],
    [{ result: 'refused_origin' }, s.sockets.counters.refusedOrigin],
    [{ result: 'refused_address' }, s.sockets.counters.refusedAddress],
  ]);
  cumulativeCounter(
    own,
    `${P}auth_failures_total`,
    'Failed authentications (api keys, admin tokens)',
    [],
    () => one(s.authFailures.failures),
  );
  cumulativeCounter(
    own,
    `${P}auth_blocks_total`,
    'Addresses blocked after AUTH_MAX_FAILURES failed authentications',
    [],
    () => one(s.authFailures.blocks),
  );
  cumulativeCounter(
    own,
    `${P}ws_disconnections_total`,
    'WebSocket disconnections by close code',
    ['code'],
    () => [...s.sockets.counters.closed].map(([code, n]) => [{ code }, n]),
  );
  cumulativeCounter(
    own,
    `${P}ws_frames_total`,
    'Frames received, and those refused by the rate limit',
    ['result'],
    () => [
      [{ result: 'received' }, s.handler.counters.frames],
      [{ result: 'refused' }, s.handler.counters.refused],
    ],
  );
  cumulativeCounter(own, `${P}ws_errors_total`, 'Error frames sent, by code', ['code'], () =>
    [...s.handler.counters.errors].map(([code, n]) => [{ code }, n]),
  );

  registerScanMetrics(own, s.scans);
  if (s.bus) registerBusMetrics(own, s.bus);

  const registry = Registry.merge([runtimeRegistry(), own]);
  return {
    registry,
    close: async () => {
      await lifecycle.close();
      own.clear();
    },
  };
}

/** Cluster mode: what crossed the bus, and how often the connection and the leases changed. */
function registerBusMetrics(registry: Registry, bus: Bus): void {
  const c = bus.counters;
  cumulativeCounter(
    registry,
    `${P}bus_messages_total`,
    'Messages on the cluster bus, by outcome',
    ['result'],
    () => [
      [{ result: 'published' }, c.published],
      [{ result: 'received' }, c.received],
      [{ result: 'undecodable' }, c.undecodable],
      [{ result: 'publish_dropped' }, c.publishDropped],
    ],
  );
  cumulativeCounter(registry, `${P}bus_reconnects_total`, 'Reconnections to NATS', [], () => [
    [{}, c.reconnects],
  ]);
  cumulativeCounter(
    registry,
    `${P}bus_lease_changes_total`,
    'Exchange leases this node took or gave up',
    [],
    () => [[{}, c.leaseChanges]],
  );
  gauge(registry, 'bus_connected', '1 while connected to NATS', () => (bus.connected ? 1 : 0));
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name: `${P}${name}`,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
