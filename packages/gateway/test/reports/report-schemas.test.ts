import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPgSchema, requirePostgres } from '../support/services.js';
import { startTestGateway } from '../support/test-gateway.js';

describe('reports in PostgreSQL schemas of one database', () => {
  it('each schema gets its own tables, however many schemas already hold them', async (t) => {
    if (!(await requirePostgres(t))) return;
    const first = await createPgSchema();
    const second = await createPgSchema();
    try {
      for (const schema of [first, second]) {
        const { gateway } = await startTestGateway({ DATABASE_URL: schema.url() });
        try {
          assert.equal(gateway.parts.reports.stats().migrated, true, `migrated in ${schema.name}`);
        } finally {
          await gateway.close();
        }
        const tables = await schema.client.query<{ table_name: string }>(
          'select table_name from information_schema.tables where table_schema = $1 order by 1',
          [schema.name],
        );
        assert.deepEqual(
          tables.rows.map((r) => r.table_name),
          ['kysely_migration', 'kysely_migration_lock', 'report_contents', 'reports'],
        );
      }
    } finally {
      await first.drop();
      await second.drop();
    }
  });
});
