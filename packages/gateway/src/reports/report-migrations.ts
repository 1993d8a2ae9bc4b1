import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The schema, in order; each migration runs once (Kysely records them). created_at is epoch
 * milliseconds: BIGINT in PostgreSQL, INTEGER (64-bit) in SQLite.
 */
export function reportMigrations(dialect: 'sqlite' | 'postgres'): Record<string, Migration> {
  const millis = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    '0001_reports': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('reports')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('created_at', millis, (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('auto', 'manual')`))
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('summary', 'text', (c) => c.notNull())
          .addColumn('size_bytes', 'integer', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('reports_created_at')
          .on('reports')
          .columns(['created_at', 'id'])
          .execute();
        await db.schema
          .createTable('report_contents')
          .addColumn('report_id', 'text', (c) => c.primaryKey().references('reports.id').onDelete('cascade'))
          .addColumn('html_content', 'text', (c) => c.notNull())
          .addColumn('css_content', 'text', (c) => c.notNull())
          .addColumn('js_content', 'text', (c) => c.notNull())
          .addColumn('html_content_en', 'text', (c) => c.notNull())
          .addColumn('js_content_en', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0002_report_owner': {
      async up(db: Kysely<unknown>) {
        // Null: a scheduled report, which every key sees (and every report saved before owners).
        await db.schema.alterTable('reports').addColumn('owner', 'text').execute();
      },
    },
  };
}
