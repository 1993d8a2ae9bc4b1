import type {
  BoundedCache,
  GcObserver,
  MemoryMonitor,
  PeriodicJob,
  RingBuffer,
  StructureRegistry,
} from '@steadystate/lifecycle';
import type { Fanout } from '../fanout/fanout.js';
import type { TopicIndex } from '../market/topic-index.js';
import type { AdapterManager } from '../upstream/adapter-manager.js';
import type { Tick } from '../domain/tick.js';
import type { ClientRegistry } from '../ws/client-registry.js';
import type { MessageHandler } from '../ws/message-handler.js';
import type { SocketServer } from '../ws/ws-server.js';
import type { ScanService } from '../scans/scan-service.js';

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
  gc: GcObserver;
  jobs: () => PeriodicJob[];
  /** Sections other parts of the service add (tasks, reports). */
  extra?: () => Record<string, unknown>;
}

const MB = 1024 * 1024;

/**
 * The stats object of SPEC section 4, shared by `get_stats` and `GET /stats`. Per-client
 * details are counts only: no client or user id appears anywhere in it.
 */
export function buildStats(s: StatsSources): Record<string, unknown> {
  const ring = s.ring.stats();
  const memory = s.monitor.stats();
  const current = memory.current;
  const thresholds = memory.thresholds;
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
    fanout: {
      serialized: s.fanout.serialized,
      deliveries: s.fanout.deliveries,
      unrouted: s.fanout.unrouted,
    },
    connections: {
      accepted: s.sockets.counters.accepted,
      refused_overloaded: s.sockets.counters.refusedOverloaded,
      refused_full: s.sockets.counters.refusedFull,
      keepalive_terminated: s.sockets.counters.keepaliveTerminated,
      slow_closed: s.sockets.counters.slowClosed,
      closed_by_code: Object.fromEntries(s.sockets.counters.closed),
    },
    messages: {
      frames: s.handler.counters.frames,
      refused: s.handler.counters.refused,
      too_large: s.handler.counters.tooLarge,
      errors_by_code: Object.fromEntries(s.handler.counters.errors),
    },
    jobs: Object.fromEntries(s.jobs().map((job) => [job.name, job.stats()])),
    ...s.extra?.(),
  };
}

function caches(s: StatsSources): Record<string, unknown> {
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
