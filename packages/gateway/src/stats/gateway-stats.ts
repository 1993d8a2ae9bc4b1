import type {
  BoundedCache,
  CleanupCallbackStats,
  CleanupReport,
  GcObserver,
  LeakTracker,
  MemoryLevel,
  MemoryMonitor,
  MemoryPressure,
  PeriodicJob,
  PeriodicJobStats,
  RingBuffer,
  StructureRegistry,
  StructureSnapshot,
} from '@steadystate/lifecycle';
import type { AuthFailures } from '../auth/auth-failures.js';
import type { Bus } from '../cluster/bus.js';
import type { ClusterStats } from '../cluster/cluster-node.js';
import type { Tick } from '../domain/tick.js';
import type { Fanout } from '../fanout/fanout.js';
import type { MarketIndicesService } from '../indices/market-indices-service.js';
import type { TopicIndex } from '../market/topic-index.js';
import type { ReportService } from '../reports/report-service.js';
import type { ScanService } from '../scans/scan-service.js';
import type { KeyValueStore, KvStatus } from '../store/kv-store.js';
import type { AdapterManager } from '../upstream/adapter-manager.js';
import type { ClientRegistry } from '../ws/client-registry.js';
import type { MessageHandler } from '../ws/message-handler.js';
import type { SocketServer } from '../ws/ws-server.js';

export interface StatsSources {
  ring: RingBuffer<Tick>;
  clients: ClientRegistry;
  topics: TopicIndex;
  monitor: MemoryMonitor;
  adapters: AdapterManager;
  symbolCache: BoundedCache<string, boolean>;
  structures: StructureRegistry;
  fanout: Fanout;
  handler: MessageHandler;
  sockets: SocketServer;
  scans: ScanService;
  store: KeyValueStore;
  indices: MarketIndicesService;
  reports: ReportService;
  gc: GcObserver;
  leakTracker: LeakTracker;
  authFailures: AuthFailures;
  jobs: () => PeriodicJob[];
  /** The cluster's bus, in cluster mode. */
  bus?: Bus;
}

/** One cache as the stats show it (SPEC section 4). */
export interface CacheStats {
  size: number;
  capacity: number;
  hits: number;
  misses: number;
  evictions: number;
}

/**
 * The stats object of SPEC section 4 (`get_stats` over WebSocket, `GET /stats` over HTTP), with
 * the sections the gateway adds after the ones the SPEC names. Per-client details are counts
 * only: no client or user id appears anywhere in it.
 */
export interface GatewayStats {
  ring_buffer: {
    size: number;
    count: number;
    utilization: number;
    published_count: number;
    consumed_count: number;
    dropped_count: number;
  };
  clients: { count: number; authenticated: number; behind: number; max: number };
  subscriptions: { symbols: number; orphaned: number; client_subscriptions: number };
  memory: {
    current: {
      rss: number;
      rss_mb: number;
      heap_used: number;
      heap_total: number;
      external: number;
      array_buffers: number;
      heap_limit: number;
      container_limit: number | null;
    } | null;
    thresholds: { warning_mb: number; cleanup_mb: number; critical_mb: number; source: string } | null;
    status: MemoryLevel;
    shedding: boolean;
    pressure: MemoryPressure | null;
    history: { at: number; rss: number; heap_used: number; level: MemoryLevel }[];
  };
  cleanup: {
    runs: number;
    errors: number;
    skipped_by_cooldown: number;
    last: CleanupReport | null;
    callbacks: CleanupCallbackStats[];
    forced_gc: { count: number; totalPauseMs: number; lastPauseMs: number | null };
  };
  broker_adapters: ReturnType<AdapterManager['stats']>;
  caches: Record<string, CacheStats>;
  structures: StructureSnapshot[];
  tasks: ReturnType<ScanService['stats']>;
  jobs: Record<string, PeriodicJobStats>;
  /** Resources collected without close(): each one is also logged with where it was created. */
  leaks: { tracking: number; tracked: number; closed: number; leaked: number; overflows: number };
  fanout: { serialized: number; deliveries: number; unrouted: number };
  connections: {
    accepted: number;
    refused_overloaded: number;
    refused_full: number;
    refused_origin: number;
    refused_address: number;
    keepalive_terminated: number;
    slow_closed: number;
    replies_dropped: number;
    closed_by_code: Record<string, number>;
  };
  messages: { frames: number; refused: number; too_large: number; errors_by_code: Record<string, number> };
  /** Failed authentications (WebSocket and HTTP), addresses blocked for them, attempts refused meanwhile. */
  auth: ReturnType<AuthFailures['stats']>;
  store: KvStatus;
  indices: ReturnType<MarketIndicesService['stats']>;
  reports: ReturnType<ReportService['stats']>;
}

/** The stats of a cluster node: its own, its name, and the cluster as the nodes answered. */
export interface ClusteredStats extends GatewayStats {
  node: string;
  cluster: ClusterStats;
}

const MB = 1024 * 1024;

/** The stats object, read from the live parts; shared by `get_stats`, `GET /stats` and the tests. */
export function buildStats(s: StatsSources): GatewayStats {
  const ring = s.ring.stats();
  const memory = s.monitor.stats();
  const current = memory.current;
  const thresholds = memory.thresholds;
  const leaks = s.leakTracker.stats();
  return {
    ring_buffer: {
      size: ring.capacity,
      count: ring.count,
      utilization: ring.utilization,
      published_count: ring.published,
      consumed_count: ring.consumed,
      dropped_count: ring.dropped,
    },
    clients: {
      count: s.clients.size,
      authenticated: s.clients.authenticated(),
      behind: s.clients.behind.size,
      max: s.clients.capacity,
    },
    subscriptions: {
      symbols: s.topics.active,
      orphaned: s.topics.orphaned,
      client_subscriptions: s.topics.subscriptions,
    },
    memory: {
      current: current && {
        rss: current.rss,
        rss_mb: round(current.rss / MB),
        heap_used: current.heapUsed,
        heap_total: current.heapTotal,
        external: current.external,
        array_buffers: current.arrayBuffers,
        heap_limit: current.heapLimit,
        container_limit: current.containerLimit,
      },
      thresholds: thresholds && {
        warning_mb: round(thresholds.warning / MB),
        cleanup_mb: round(thresholds.cleanup / MB),
        critical_mb: round(thresholds.critical / MB),
        source: thresholds.source,
      },
      status: memory.status,
      shedding: memory.shedding,
      pressure: memory.pressure,
      history: memory.history.map((h) => ({ at: h.at, rss: h.rss, heap_used: h.heapUsed, level: h.level })),
    },
    cleanup: {
      runs: memory.cleanup.runs,
      errors: memory.cleanup.errors,
      skipped_by_cooldown: memory.cleanup.skippedByCooldown,
      last: memory.cleanup.last,
      callbacks: memory.cleanup.callbacks,
      forced_gc: memory.forcedGc,
    },
    broker_adapters: s.adapters.stats(),
    caches: caches(s),
    structures: s.structures.snapshot(),
    tasks: s.scans.stats(),
    jobs: Object.fromEntries(s.jobs().map((job) => [job.name, job.stats()])),
    leaks: {
      tracking: leaks.tracking,
      tracked: leaks.tracked,
      closed: leaks.closed,
      leaked: leaks.leaked,
      overflows: leaks.overflows,
    },
    fanout: {
      serialized: s.fanout.serialized,
      deliveries: s.fanout.deliveries,
      unrouted: s.fanout.unrouted,
    },
    connections: {
      accepted: s.sockets.counters.accepted,
      refused_overloaded: s.sockets.counters.refusedOverloaded,
      refused_full: s.sockets.counters.refusedFull,
      refused_origin: s.sockets.counters.refusedOrigin,
      refused_address: s.sockets.counters.refusedAddress,
      keepalive_terminated: s.sockets.counters.keepaliveTerminated,
      slow_closed: s.sockets.counters.slowClosed,
      replies_dropped: s.sockets.counters.repliesDropped,
      closed_by_code: Object.fromEntries(s.sockets.counters.closed),
    },
    messages: {
      frames: s.handler.counters.frames,
      refused: s.handler.counters.refused,
      too_large: s.handler.counters.tooLarge,
      errors_by_code: Object.fromEntries(s.handler.counters.errors),
    },
    auth: s.authFailures.stats(),
    store: s.store.status(),
    indices: s.indices.stats(),
    reports: s.reports.stats(),
  };
}

function caches(s: StatsSources): Record<string, CacheStats> {
  const all = [s.symbolCache, ...[...s.adapters.handles()].map((h) => h.lastTicks)];
  return Object.fromEntries(
    all.map((cache) => {
      const c = cache.stats();
      return [
        c.name,
        { size: c.size, capacity: c.capacity, hits: c.hits, misses: c.misses, evictions: c.evictions },
      ];
    }),
  );
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
