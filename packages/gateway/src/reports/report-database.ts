import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Generated } from 'kysely';
import { reportMigrations } from './report-migrations.js';

/** The report tables, as Kysely sees them. Large fields live apart so listing never reads them. */
export interface ReportTables {
  reports: {
    id: string;
    created_at: number;
    kind: 'auto' | 'manual';
    /** Null for a scheduled report; else the user id of the key that asked for it. */
    owner: string | null;
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
 * database that goes away costs a few failed queries, not a pile of sockets. Only the driver in
 * use is loaded: a process without DATABASE_URL never loads pg.
 */
export async function openReportDatabase(options: {
  databaseUrl: string | undefined;
  sqlitePath: string;
}): Promise<ReportDatabase> {
  let db: Kysely<ReportTables>;
  let dialect: ReportDatabase['dialect'];
  if (options.databaseUrl) {
    dialect = 'postgres';
    const { default: pg } = await import('pg');
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
    const { default: SQLite } = await import('better-sqlite3');
    mkdirSync(dirname(options.sqlitePath), { recursive: true });
    db = new Kysely<ReportTables>({
      dialect: new SqliteDialect({
        database: () => {
          const database = new SQLite(options.sqlitePath);
          try {
            database.pragma('journal_mode = WAL');
            database.pragma('foreign_keys = ON');
          } catch (error) {
            // A file that is not a database opens fine and fails here: kysely never sees the
            // handle, so it is closed here or never.
            database.close();
            throw error;
          }
          return Promise.resolve(database);
        },
      }),
    });
  }
  const provider = { getMigrations: () => Promise.resolve(reportMigrations(dialect)) };
  return {
    db,
    dialect,
    migrate: async () => {
      // In PostgreSQL the migrator is told its schema (the connection's current one): left to
      // itself it finds another schema's migration table in the same database and skips its own.
      const migrationTableSchema =
        dialect === 'postgres'
          ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
          : undefined;
      const migrator = new Migrator({
        db,
        provider,
        ...(migrationTableSchema ? { migrationTableSchema } : {}),
      });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
    },
    close: () => db.destroy(),
  };
}

/** PostgreSQL's answers to a wrong role, password or database name (SQLSTATE classes 28 and 3D). */
const REFUSED_SQLSTATES = new Set(['28000', '28P01', '3D000']);
/** SQLite's answers to a path that is not a usable database file. */
const REFUSED_SQLITE = new Set(['SQLITE_NOTADB', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_CORRUPT']);

/**
 * True when the database refused the configuration itself (credentials, database name, a file
 * that is no database): no retry fixes that, so start-up stops. A server that is merely
 * unreachable is not a refusal: reports wait on disk until it is back.
 */
export function isDatabaseRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (REFUSED_SQLSTATES.has(code) || REFUSED_SQLITE.has(code));
}

/** SQLSTATE classes of a statement the server ran and refused: bad data, a constraint, a limit. */
const ROW_REFUSED_CLASSES = new Set(['22', '23', '42', '54']);

/**
 * True when the database was reached and refused this report's rows (a constraint, a value it
 * cannot hold): retrying the same file will not help. A lost connection is not a refusal.
 */
export function isRowRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  if (/^[0-9A-Z]{5}$/.test(code)) return ROW_REFUSED_CLASSES.has(code.slice(0, 2));
  return /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)/.test(code);
}
