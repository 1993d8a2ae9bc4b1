import type { Analysis, SeriesSummary, Verdict } from '../analysis.js';
import { CLEANUP_KINDS, type CleanupEvent } from '../cleanup-events.js';
import type { ExitCode } from '../exit-codes.js';
import type { StatsReading } from '../gateway-probe.js';
import type { SoakOptions } from '../options.js';
import type { StructureTrack } from '../sample.js';
import type { TargetExit } from '../target/target.js';

/** Identifies the layout of summary.json; bumped when a field changes meaning. */
export const SUMMARY_SCHEMA = 'steadystate-soak-summary/1';

/** One memory series in summary.json, in MB and MB per hour. */
export interface SeriesJson {
  peak_mb: number;
  final_mb: number;
  /** Median after the warm-up. */
  steady_mb: number | null;
  /** Least-squares slope after the warm-up; null with fewer than 3 points. */
  slope_mb_per_hour: number | null;
  /** 95% confidence interval of the slope, [lower, upper]; null when unbounded or absent. */
  ci95: [number, number] | null;
  r2: number | null;
  /** Points fitted. */
  n: number;
  /** Theil–Sen slope through per-window medians after the warm-up: the one the verdict uses. */
  robust_slope_mb_per_hour: number | null;
  /** Windows of the robust slope, and their length in seconds. */
  robust_windows: number;
  robust_window_seconds: number | null;
}

/** The layout of summary.json. Keys are snake_case, like the gateway's own JSON. */
export interface SoakSummary {
  schema: typeof SUMMARY_SCHEMA;
  /** How the run ended: at --duration, by SIGINT (with the verdict so far), or by an error. */
  status: 'completed' | 'interrupted' | 'error';
  error: { code: string; message: string } | null;
  verdict: Verdict;
  verdict_reason: string;
  /** Whether the upper end of the RSS slope's 95% interval is within the bound as well. */
  bound_holds_at_95: boolean | null;
  exit_code: ExitCode;
  started_at: string;
  finished_at: string;
  duration_seconds: number;
  planned_duration_seconds: number;
  warmup_seconds: number;
  max_slope_mb_per_hour: number;
  samples: {
    count: number;
    after_warmup: number;
    /** Refused because the in-memory log was full (the run overstayed its duration). */
    dropped: number;
    /** Samples that failed with an unexpected error. */
    failed: number;
    interval_ms: number;
    /** Why samples.ndjson stopped being written, if it did. */
    ndjson_error: string | null;
  };
  rss: SeriesJson | null;
  heap_used: SeriesJson | null;
  external: SeriesJson | null;
  /** The runner's own RSS: evidence that the load generator did not drift either. */
  runner_rss: SeriesJson | null;
  gc: { pause_ms_total: number; max_pause_ms_per_second: number } | null;
  cleanup_events: { total: number; by_kind: Record<string, number> };
  structures: Record<string, StructureTrack>;
  load: Record<string, unknown>;
  target: {
    kind: 'gateway' | 'command' | 'attach';
    pid: number | null;
    url: string | null;
    command: string | null;
    /** How the process the runner started exited; null when attached or never started. */
    exit: TargetExit | null;
    /** The last /stats reading of the run, in brief. */
    final_stats: FinalStatsJson | null;
    /** Failed /metrics and /stats requests, by endpoint and reason. */
    probe_failures: Record<string, number>;
  };
  options: Record<string, unknown>;
  files: Record<string, string>;
}

/** The last /stats reading in summary.json. */
export interface FinalStatsJson {
  clients: number | null;
  adapters: number | null;
  adapters_closed: number | null;
  symbols: number | null;
  orphaned: number | null;
  ring_count: number | null;
  memory_status: string | null;
  cleanup_runs: number | null;
  orphan_cleanup_runs: number | null;
  task_sweeps: number | null;
  slow_closed: number | null;
}

/** The brief of a stats reading that goes into summary.json. */
export function finalStatsJson(s: StatsReading): FinalStatsJson {
  return {
    clients: s.clients,
    adapters: s.adapters,
    adapters_closed: s.adaptersClosed,
    symbols: s.symbols,
    orphaned: s.orphaned,
    ring_count: s.ringCount,
    memory_status: s.memoryStatus,
    cleanup_runs: s.cleanupRuns,
    orphan_cleanup_runs: s.orphanCleanupRuns,
    task_sweeps: s.taskSweeps,
    slow_closed: s.slowClosed,
  };
}

export interface SummaryInput {
  options: SoakOptions;
  status: SoakSummary['status'];
  error: SoakSummary['error'];
  exitCode: ExitCode;
  startedAt: Date;
  finishedAt: Date;
  durationSeconds: number;
  analysis: Analysis;
  samples: { count: number; dropped: number; failed: number; ndjsonError: string | null };
  events: readonly CleanupEvent[];
  structures: ReadonlyMap<string, StructureTrack>;
  load: Record<string, unknown>;
  target: SoakSummary['target'];
}

export const OUTPUT_FILES = {
  summary: 'summary.json',
  report: 'report.html',
  chart: 'chart.svg',
  samples: 'samples.ndjson',
  target_stdout: 'target.stdout.log',
  target_stderr: 'target.stderr.log',
} as const;

/** Assembles summary.json from the run's parts; secrets (api key, admin token) are left out. */
export function buildSummary(i: SummaryInput): SoakSummary {
  const { options: o, analysis: a } = i;
  const byKind: Record<string, number> = Object.fromEntries(CLEANUP_KINDS.map((k) => [k, 0]));
  for (const event of i.events) byKind[event.kind] = (byKind[event.kind] ?? 0) + event.count;
  return {
    schema: SUMMARY_SCHEMA,
    status: i.status,
    error: i.error,
    verdict: a.verdict.verdict,
    verdict_reason: a.verdict.reason,
    bound_holds_at_95: a.verdict.boundHoldsAt95,
    exit_code: i.exitCode,
    started_at: i.startedAt.toISOString(),
    finished_at: i.finishedAt.toISOString(),
    duration_seconds: round(i.durationSeconds, 1),
    planned_duration_seconds: o.durationSeconds,
    warmup_seconds: o.warmupSeconds,
    max_slope_mb_per_hour: o.maxSlopeMbPerHour,
    samples: {
      count: i.samples.count,
      after_warmup: a.samplesAfterWarmup,
      dropped: i.samples.dropped,
      failed: i.samples.failed,
      interval_ms: 1000,
      ndjson_error: i.samples.ndjsonError,
    },
    rss: seriesJson(a.rss),
    heap_used: seriesJson(a.heapUsed),
    external: seriesJson(a.external),
    runner_rss: seriesJson(a.runnerRss),
    gc: a.gc && {
      pause_ms_total: round(a.gc.pauseMsTotal, 1),
      max_pause_ms_per_second: round(a.gc.maxPauseMsPerSecond, 2),
    },
    cleanup_events: { total: Object.values(byKind).reduce((s, n) => s + n, 0), by_kind: byKind },
    structures: Object.fromEntries([...i.structures].sort(([x], [y]) => x.localeCompare(y))),
    load: i.load,
    target: i.target,
    options: {
      profile: o.profile,
      clients: o.clients,
      duration_seconds: o.durationSeconds,
      warmup_seconds: o.warmupSeconds,
      max_slope_mb_per_hour: o.maxSlopeMbPerHour,
      accelerate: o.accelerate,
      target: o.target.kind,
      churn_per_second: o.churnPerSecond,
      slow_share: o.slowShare,
      bad_share: o.badShare,
      symbols: o.symbols,
      scan_every_seconds: o.scanEverySeconds,
      report_every_seconds: o.reportEverySeconds,
      seed: o.seed,
      admin_token: o.adminToken === undefined ? (o.target.kind === 'attach' ? 'none' : 'generated') : 'given',
      api_key: o.apiKey === undefined ? (o.target.kind === 'attach' ? 'demo key' : 'generated') : 'given',
    },
    files: { ...OUTPUT_FILES },
  };
}

function seriesJson(s: SeriesSummary | null): SeriesJson | null {
  if (s === null) return null;
  const t = s.trend;
  const bounded = t !== null && Number.isFinite(t.ci95.lower) && Number.isFinite(t.ci95.upper);
  return {
    peak_mb: round(s.peakMb, 2),
    final_mb: round(s.finalMb, 2),
    steady_mb: s.steadyMb === null ? null : round(s.steadyMb, 2),
    slope_mb_per_hour: t && round(t.slopeMbPerHour, 3),
    ci95: bounded ? [round(t.ci95.lower, 3), round(t.ci95.upper, 3)] : null,
    r2: t && round(t.r2, 4),
    n: t?.n ?? 0,
    robust_slope_mb_per_hour: s.robust && round(s.robust.slopeMbPerHour, 3),
    robust_windows: s.robust?.windows ?? 0,
    robust_window_seconds: s.robust && round(s.robust.windowSeconds, 2),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
