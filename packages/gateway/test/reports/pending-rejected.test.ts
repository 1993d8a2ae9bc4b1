import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import { buildReport } from '../../src/reports/report-builder.js';
import { api } from '../support/scan-api.js';
import { makeTempDir } from '../support/temp-dir.js';
import { startTestGateway, TEST_ADMIN_TOKEN } from '../support/test-gateway.js';

describe('the pending-report queue after a crash', () => {
  it('rejects a torn file at its head, saves the report behind it, and says so in /stats and /healthz', async () => {
    const dataDir = await makeTempDir();
    const queue = join(dataDir, 'pending-reports');
    await mkdir(queue);
    const id = randomUUID();
    const report = {
      id,
      created_at: 2,
      kind: 'auto',
      ...buildReport({ indices: null, history: [], generatedAt: 2 }),
    };
    await writeFile(join(queue, `000000000000001-${randomUUID()}.json`), '');
    await writeFile(join(queue, `000000000000002-${id}.json`), JSON.stringify(report));

    const { gateway } = await startTestGateway({ DATA_DIR: dataDir, REPORT_FLUSH_INTERVAL: '0.05' });
    try {
      await waitFor(() => gateway.parts.reports.stats().pending === 0, 'the queue to be flushed');
      assert.equal(
        (await gateway.parts.repository.get(id))?.title,
        report.title,
        'the report behind it was saved',
      );
      assert.equal((await readdir(join(queue, 'rejected'))).length, 1);

      const stats = await api(gateway, 'GET', '/stats', {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      const reports = (stats.body as { data: { reports: { pending: number; pending_rejected: number } } })
        .data.reports;
      assert.deepEqual([reports.pending, reports.pending_rejected], [0, 1]);
      const health = await api(gateway, 'GET', '/healthz');
      assert.equal(
        (health.body as { status: string }).status,
        'ok',
        'the queue no longer holds /healthz degraded',
      );
    } finally {
      await gateway.close();
    }
  });
});
