import { request } from './http-request.js';
import { sumMetrics } from './prometheus-text.js';

/** The runtime readings of GET /metrics (prom-client's defaults and the toolkit's GC histogram). */
export interface MetricsReading {
  readonly heapUsedBytes: number | null;
  readonly heapTotalBytes: number | null;
  readonly externalBytes: number | null;
  /** Total GC pause time since the target started, in seconds, over every kind. */
  readonly gcPauseSeconds: number | null;
  readonly gcCount: number | null;
}

/** What the runner reads from GET /stats (SPEC section 4); a field the target does not report is null. */
export interface StatsReading {
  readonly clients: number | null;
  readonly adapters: number | null;
  readonly adaptersClosed: number | null;
  readonly symbols: number | null;
  readonly orphaned: number | null;
  readonly ringCount: number | null;
  readonly memoryStatus: string | null;
  readonly cleanupRuns: number | null;
  readonly cleanupLastAt: number | null;
  readonly orphanCleanupRuns: number | null;
  readonly taskSweeps: number | null;
  /** Clients the target closed as slow consumers (4008) since it started. */
  readonly slowClosed: number | null;
  /** Size of every registered structure, by name. */
  readonly structures: ReadonlyMap<string, number>;
}

export interface ProbeReading {
  readonly metrics: MetricsReading | null;
  readonly stats: StatsReading | null;
}

export interface GatewayProbeOptions {
  httpUrl: string;
  /** Without one, /stats is not asked for (it needs the admin token). */
  adminToken: string | undefined;
  /** Each request is abandoned after this long, so a stalled target cannot stall the sampler. @default 900 */
  timeoutMs?: number;
}

const HEAP_USED = 'nodejs_heap_size_used_bytes';
const HEAP_TOTAL = 'nodejs_heap_size_total_bytes';
const EXTERNAL = 'nodejs_external_memory_bytes';
const GC_SUM = 'steadystate_gc_pause_seconds_sum';
const GC_COUNT = 'steadystate_gc_pause_seconds_count';
/** prom-client's own GC histogram, for a target without the toolkit's. */
const NODE_GC_SUM = 'nodejs_gc_duration_seconds_sum';
const NODE_GC_COUNT = 'nodejs_gc_duration_seconds_count';
const METRIC_NAMES = new Set([HEAP_USED, HEAP_TOTAL, EXTERNAL, GC_SUM, GC_COUNT, NODE_GC_SUM, NODE_GC_COUNT]);
/** A structure registry larger than this is cut: the runner's memory must not follow the target's. */
const MAX_STRUCTURES = 200;

/**
 * Reads a Steadystate gateway's /metrics (heap and GC, measured at scrape time) and /stats
 * (clients, adapters, structures, cleanup counters). A target that answers neither is still
 * sampled through /proc; the failures are counted, not thrown.
 */
export class GatewayProbe {
  /** Failed requests, by endpoint and reason (HTTP status or error name). */
  readonly failures = new Map<string, number>();
  readonly #o: Required<Pick<GatewayProbeOptions, 'timeoutMs'>> & GatewayProbeOptions;

  constructor(options: GatewayProbeOptions) {
    this.#o = { timeoutMs: 900, ...options };
  }

  async read(): Promise<ProbeReading> {
    const [metrics, stats] = await Promise.all([
      this.#get('/metrics', false).then((text) => (text === null ? null : readMetrics(text))),
      this.#o.adminToken === undefined
        ? null
        : this.#get('/stats', true).then((text) => (text === null ? null : readStats(text))),
    ]);
    return { metrics, stats };
  }

  async #get(path: string, admin: boolean): Promise<string | null> {
    try {
      const response = await request(`${this.#o.httpUrl}${path}`, {
        headers: admin ? { authorization: `Bearer ${this.#o.adminToken}` } : {},
        timeoutMs: this.#o.timeoutMs,
      });
      if (response.ok) return response.text;
      this.#fail(`${path} ${response.status}`);
    } catch (error) {
      this.#fail(`${path} ${error instanceof Error ? error.name : 'error'}`);
    }
    return null;
  }

  #fail(key: string): void {
    if (this.failures.has(key) || this.failures.size < 50)
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
  }
}

/** The readings of a /metrics text; null where a metric is absent. */
export function readMetrics(text: string): MetricsReading {
  const sums = sumMetrics(text, METRIC_NAMES);
  return {
    heapUsedBytes: sums.get(HEAP_USED) ?? null,
    heapTotalBytes: sums.get(HEAP_TOTAL) ?? null,
    externalBytes: sums.get(EXTERNAL) ?? null,
    gcPauseSeconds: sums.get(GC_SUM) ?? sums.get(NODE_GC_SUM) ?? null,
    gcCount: sums.get(GC_COUNT) ?? sums.get(NODE_GC_COUNT) ?? null,
  };
}

/** The fields the runner uses from a /stats body (`{"type":"stats","data":{...}}`); null when it is not one. */
export function readStats(text: string): StatsReading | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const data = field(body, 'data');
  if (typeof data !== 'object' || data === null) return null;
  const num = (...path: string[]): number | null => {
    const value = path.reduce<unknown>((at, key) => field(at, key), data);
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  const status = field(field(data, 'memory'), 'status');
  const structures = new Map<string, number>();
  const list = field(data, 'structures');
  if (Array.isArray(list)) {
    for (const entry of list.slice(0, MAX_STRUCTURES)) {
      const name = field(entry, 'name');
      const size = field(entry, 'size');
      if (typeof name === 'string' && typeof size === 'number') structures.set(name.slice(0, 100), size);
    }
  }
  return {
    clients: num('clients', 'count'),
    adapters: num('broker_adapters', 'count'),
    adaptersClosed: num('broker_adapters', 'closed'),
    symbols: num('subscriptions', 'symbols'),
    orphaned: num('subscriptions', 'orphaned'),
    ringCount: num('ring_buffer', 'count'),
    memoryStatus: typeof status === 'string' ? status : null,
    cleanupRuns: num('cleanup', 'runs'),
    cleanupLastAt: num('cleanup', 'last', 'at'),
    orphanCleanupRuns: num('jobs', 'orphan-cleanup', 'runs'),
    taskSweeps: num('tasks', 'sweeps'),
    slowClosed: num('connections', 'slow_closed'),
    structures,
  };
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}
