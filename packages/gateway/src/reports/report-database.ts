import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Generated } from 'kysely';
import pg from 'pg';
import { reportMigrations } from './report-migrations.js';

/** The report tables, as Kysely sees them. Large fields live apart so listing never reads them. */
export interface ReportTables {
  reports: {
    id: string;
    created_at: number;
    kind: 'auto' | 'manual';
    title: string;
    /** JSON: the headline numbers, for lists. */
    summary: string;
    size_bytes: number;
  };
  report_contents: {
    report_id: string;
    html_content: string;
    css_content: string;
    js_content: string;
    html_content_en: string;
    js_content_en: string;
  };
  kysely_migration: { name: string; timestamp: Generated<string> };
}

export interface ReportDatabase {
  readonly db: Kysely<ReportTables>;
  readonly dialect: 'sqlite' | 'postgres';
  /** Brings the schema up to date; safe to call again after a failure. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One query layer over both databases: SQLite in a file (better-sqlite3) by default, PostgreSQL
 * (a small pg pool) when a URL is given. The pool is bounded and its connections time out, so a
 * database that goes away costs a few failed queries, not a pile of sockets.
 */
export function openReportDatabase(options: {
  databaseUrl: string | undefined;
  sqlitePath: string;
}): ReportDatabase {
  let db: Kysely<ReportTables>;
  let dialect: ReportDatabase['dialect'];
  if (options.databaseUrl) {
    dialect = 'postgres';
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 4,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: 3_000,
      // A query on a dead connection must fail, not hang the report job.
      query_timeout: 10_000,
    });
    // An idle client losing its connection emits on the pool; without a listener that would crash.
    pool.on('error', () => {});
    db = new Kysely<ReportTables>({ dialect: new PostgresDialect({ pool }) });
  } else {
    dialect = 'sqlite';
    mkdirSync(dirname(options.sqlitePath), { recursive: true });
    db = new Kysely<ReportTables>({
      dialect: new SqliteDialect({
        database: () => {
          const database = new SQLite(options.sqlitePath);
          database.pragma('journal_mode = WAL');
          database.pragma('foreign_keys = ON');
          return Promise.resolve(database);
        },
      }),
    });
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(reportMigrations(dialect)) },
  });
  return {
    db,
    dialect,
    migrate: async () => {
      const { error } = await migrator.migrateToLatest();
      if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
    },
    close: () => db.destroy(),
  };
}
