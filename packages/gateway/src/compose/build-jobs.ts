import { GatewayErrorCode } from '../errors.js';
import { join } from 'node:path';
import { ConfigError } from '../config/config.js';
import { redactUrl } from '../config/redact-url.js';
import { exchangeClientFactory } from '../exchanges/exchange-client-factory.js';
import { ExchangeManager } from '../exchanges/exchange-manager.js';
import { DashboardReader } from '../indices/dashboard-reader.js';
import { IndexFeed } from '../indices/index-feed.js';
import { MarketIndicesService } from '../indices/market-indices-service.js';
import { PendingReports } from '../reports/pending-reports.js';
import { isDatabaseRefusal, openReportDatabase, type ReportDatabase } from '../reports/report-database.js';
import { ReportRepository } from '../reports/report-repository.js';
import { ReportService } from '../reports/report-service.js';
import { ScanService } from '../scans/scan-service.js';
import { SessionLogStore } from '../scans/session-log-store.js';
import { createKvStore } from '../store/create-kv-store.js';
import { KvError, type KeyValueStore } from '../store/kv-store.js';
import { own, scheduling, type BuildContext } from './build-context.js';
import type { Market } from './build-market.js';
import type { Observability } from './build-observability.js';

/** The background work: scans and their logs, the store, the indices and the reports. */
export interface Jobs {
  readonly exchanges: ExchangeManager;
  readonly logs: SessionLogStore;
  readonly scans: ScanService;
  readonly store: KeyValueStore;
  readonly indices: MarketIndicesService;
  readonly dashboard: DashboardReader;
  readonly database: ReportDatabase;
  readonly repository: ReportRepository;
  readonly reports: ReportService;
}

/**
 * Builds and opens the jobs. A store or database that is unreachable is reported and retried;
 * one that refuses the configuration (a wrong password, a database that does not exist) stops
 * the start with a ConfigError naming the variable.
 */
export async function buildJobs(
  context: BuildContext,
  observed: Observability,
  market: Market,
): Promise<Jobs> {
  const { config, logger } = context;
  const { structures, monitor } = observed;

  const database = await openReportDatabase(config.reports);
  own(context, 'report database', () => database.close());
  const store = await createKvStore(config.store, structures, logger);
  own(context, 'key-value store', () => store.close());
  await refusedAs(store.open(), isStoreRefusal, 'REDIS_URL', config.store.redisUrl);

  const logs = new SessionLogStore({
    directory: config.logs.directory,
    maxAgeMs: config.logs.maxAgeMs,
    lockIdleMs: config.logs.lockMaxIdleMs,
    sweepIntervalMs: config.logs.lockSweepIntervalMs,
    maxTotalBytes: config.logs.maxTotalBytes,
    maxFileBytes: config.logs.maxFileBytes,
    structures,
    logger,
    ...scheduling(context),
  });
  own(context, 'session logs', () => logs.close());
  context.starters.push(() => logs.start());
  await logs.open();
  const exchanges = new ExchangeManager({
    createClient: exchangeClientFactory(market.simMarket, logger),
    maxIdleMs: config.scans.exchangeMaxIdleMs,
    sweepIntervalMs: Math.max(50, Math.min(config.scans.exchangeMaxIdleMs, 60_000)),
    structures,
    logger,
    ...scheduling(context),
  });
  own(context, 'exchange clients', () => exchanges.close());
  context.starters.push(() => exchanges.start());

  const indices = new MarketIndicesService({
    feed: new IndexFeed({ exchanges, exchange: config.indices.exchange, symbols: config.indices.symbols }),
    store,
    intervalMs: config.indices.intervalMs,
    ttlMs: config.indices.ttlMs,
    snapshotIntervalMs: config.indices.snapshotIntervalMs,
    structures,
    logger,
    ...scheduling(context),
  });
  own(context, 'market indices', () => indices.close());
  context.starters.push(() => indices.start());
  const dashboard = new DashboardReader({
    store,
    retries: config.indices.dashboardRetries,
    delayMs: config.indices.dashboardRetryDelayMs,
    logger,
  });

  const repository = new ReportRepository(database);
  const reports = new ReportService({
    database,
    repository,
    pending: new PendingReports({
      directory: join(config.dataDir, 'pending-reports'),
      max: config.reports.pendingMax,
      logger,
    }),
    indices,
    intervalMs: config.reports.intervalMs,
    saveRetries: config.reports.saveRetries,
    flushIntervalMs: config.reports.flushIntervalMs,
    logger,
    ...scheduling(context),
  });
  own(context, 'reports', () => reports.close());
  context.starters.push(() => reports.start());
  const databaseVariable = config.reports.databaseUrl === undefined ? 'SQLITE_PATH' : 'DATABASE_URL';
  await refusedAs(
    reports.open(),
    isDatabaseRefusal,
    databaseVariable,
    config.reports.databaseUrl ?? config.reports.sqlitePath,
  );

  const scans = new ScanService({
    exchanges,
    logs,
    monitor,
    retentionMs: config.scans.retentionMs,
    sweepIntervalMs: config.scans.sweepIntervalMs,
    maxConcurrent: config.scans.maxConcurrent,
    maxQueued: config.scans.maxQueued,
    maxRetained: config.scans.maxRetained,
    structures,
    logger,
    ...scheduling(context),
  });
  own(context, 'scans', () => scans.close());
  context.starters.push(() => scans.startSweep());
  return { exchanges, logs, scans, store, indices, dashboard, database, repository, reports };
}

function isStoreRefusal(error: unknown): boolean {
  return error instanceof KvError && error.code === GatewayErrorCode.KV_REFUSED;
}

/** Awaits `opening`; a refusal becomes a ConfigError naming `variable` (a URL shown without its password). */
async function refusedAs(
  opening: Promise<void>,
  refused: (error: unknown) => boolean,
  variable: string,
  value: string | undefined,
): Promise<void> {
  try {
    await opening;
  } catch (error) {
    if (!refused(error)) throw error;
    const shown = value === undefined ? '' : value.includes('://') ? redactUrl(value) : value;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([`${variable}=${JSON.stringify(shown)}: refused at start: ${reason}`], {
      cause: error,
    });
  }
}
