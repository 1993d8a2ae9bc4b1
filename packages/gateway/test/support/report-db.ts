import type { TestContext } from 'node:test';
import SQLite from 'better-sqlite3';
import type { GatewayConfig } from '../../src/config/config.js';
import type { Gateway, GatewayOptions } from '../../src/gateway.js';
import { createPgSchema, POSTGRES, requirePostgres, type PgSchema } from './services.js';
import { TcpProxy } from './tcp-proxy.js';
import { startTestGateway } from './test-gateway.js';

export type ReportBackend = 'sqlite' | 'postgres';
/** Every report test that touches the database runs once per backend, with the same body. */
export const REPORT_BACKENDS: readonly ReportBackend[] = ['sqlite', 'postgres'];

/**
 * The gateway's report database, reached by the test on a connection of its own (never through
 * the gateway, nor through a proxy in front of it): to see what was really written and to plant
 * faults the database itself raises.
 */
export interface ReportDb {
  readonly backend: ReportBackend;
  /** Rows holding report `id` in each table. */
  rows(id: string): Promise<{ reports: number; contents: number }>;
  /** Every insert into report_contents fails, from a trigger inside the database. */
  refuseContents(): Promise<void>;
  /** Drops the trigger of {@link refuseContents}. */
  acceptContents(): Promise<void>;
  /** Runs SQL of the test's own (the triggers and tables a test needs). */
  exec(sql: string): Promise<void>;
  /** The rows a query of the test's own answers. */
  query<R>(sql: string): Promise<R[]>;
}

export interface ReportSession {
  gateway: Gateway;
  config: GatewayConfig;
  /** The variables the gateway started with: another gateway started with them shares its database and files. */
  env: Record<string, string>;
  db: ReportDb;
  /** In front of PostgreSQL when asked for with `viaProxy`; undefined otherwise. */
  proxy: TcpProxy | undefined;
}

/**
 * Runs `body` against a fresh gateway whose reports go to `backend`: a SQLite file in the
 * gateway's temp dir, or a PostgreSQL schema of this test's own (optionally through a
 * {@link TcpProxy}, so the test can take the database away). Cleans up however `body` ends.
 * Skips (or, under CI=true, fails) when PostgreSQL is needed and not reachable. `options.gateway`
 * go to the gateway (a manual clock).
 */
export async function withReportGateway(
  t: TestContext,
  backend: ReportBackend,
  env: Record<string, string>,
  body: (session: ReportSession) => Promise<void>,
  options: { viaProxy?: boolean; gateway?: Partial<GatewayOptions> } = {},
): Promise<void> {
  const base = { SIM_SYMBOLS: '50', ...env };
  if (backend === 'sqlite') {
    const { gateway, config } = await startTestGateway(base, options.gateway);
    const db = sqliteDb(config.reports.sqlitePath);
    const started = { ...base, DATA_DIR: config.dataDir, SQLITE_PATH: config.reports.sqlitePath };
    try {
      await body({ gateway, config, env: started, db, proxy: undefined });
    } finally {
      await gateway.close();
      db.close();
    }
    return;
  }
  if (!(await requirePostgres(t))) return;
  const schema = await createPgSchema();
  const proxy = options.viaProxy ? await TcpProxy.start(POSTGRES) : undefined;
  try {
    const withDatabase = { ...base, DATABASE_URL: schema.url(proxy?.port) };
    const { gateway, config } = await startTestGateway(withDatabase, options.gateway);
    const started = { ...withDatabase, DATA_DIR: config.dataDir };
    try {
      await body({ gateway, config, env: started, db: postgresDb(schema), proxy });
    } finally {
      await gateway.close();
    }
  } finally {
    await proxy?.close();
    await schema.drop();
  }
}

function sqliteDb(path: string): ReportDb & { close(): void } {
  // A second connection to the gateway's file; WAL lets it read while the gateway writes.
  const db = new SQLite(path);
  return {
    backend: 'sqlite',
    rows: (id) =>
      Promise.resolve({
        reports: count(db.prepare('SELECT count(*) AS n FROM reports WHERE id = ?').get(id)),
        contents: count(db.prepare('SELECT count(*) AS n FROM report_contents WHERE report_id = ?').get(id)),
      }),
    refuseContents: () => {
      db.exec(`CREATE TRIGGER refuse_contents BEFORE INSERT ON report_contents
               BEGIN SELECT RAISE(ABORT, 'report_contents refused by the test'); END`);
      return Promise.resolve();
    },
    acceptContents: () => {
      db.exec('DROP TRIGGER refuse_contents');
      return Promise.resolve();
    },
    exec: (sql) => {
      db.exec(sql);
      return Promise.resolve();
    },
    query: <R>(sql: string) => Promise.resolve(db.prepare(sql).all() as R[]),
    close: () => db.close(),
  };
}

function postgresDb(schema: PgSchema): ReportDb {
  const { client } = schema;
  return {
    backend: 'postgres',
    rows: async (id) => {
      const { rows } = await client.query<{ reports: string; contents: string }>(
        `SELECT (SELECT count(*) FROM reports WHERE id = $1) AS reports,
                (SELECT count(*) FROM report_contents WHERE report_id = $1) AS contents`,
        [id],
      );
      return { reports: Number(rows[0]?.reports), contents: Number(rows[0]?.contents) };
    },
    refuseContents: async () => {
      await client.query(`CREATE FUNCTION refuse_contents() RETURNS trigger LANGUAGE plpgsql AS $$
                          BEGIN RAISE EXCEPTION 'report_contents refused by the test'; END $$`);
      await client.query(`CREATE TRIGGER refuse_contents BEFORE INSERT ON report_contents
                          FOR EACH ROW EXECUTE FUNCTION refuse_contents()`);
    },
    acceptContents: async () => {
      await client.query('DROP TRIGGER refuse_contents ON report_contents');
      await client.query('DROP FUNCTION refuse_contents()');
    },
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <R>(sql: string) => (await client.query(sql)).rows as R[],
  };
}

function count(row: unknown): number {
  return Number((row as { n: number }).n);
}
