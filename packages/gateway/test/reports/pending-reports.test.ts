import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PendingReports } from '../../src/reports/pending-reports.js';
import type { GeneratedReport } from '../../src/reports/report-content.js';

function report(id: string, createdAt: number): GeneratedReport {
  return {
    id,
    created_at: createdAt,
    kind: 'auto',
    title: id,
    summary: {},
    html_content: `<p>${id}</p>`,
    css_content: '',
    js_content: '',
    html_content_en: `<p>${id}</p>`,
    js_content_en: '',
  };
}

describe('PendingReports', () => {
  it('holds at most max reports on disk, dropping the oldest, and picks them up in order after a restart', async (t) => {
    const directory = await mkdtemp(join(tmpdir(), 'pending-reports-'));
    t.after(() => rm(directory, { recursive: true, force: true }));
    const pending = new PendingReports(directory, 2);
    await pending.open();
    await pending.add(report('first', 1000));
    await pending.add(report('second', 2000));
    await pending.add(report('third', 3000));
    assert.deepEqual([pending.size, pending.dropped], [2, 1]);
    assert.equal((await readdir(directory)).length, 2, 'the dropped report left no file');
    assert.equal((await pending.peek())?.id, 'second');

    const restarted = new PendingReports(directory, 2);
    await restarted.open();
    assert.equal((await restarted.peek())?.html_content, '<p>second</p>');
    await restarted.remove('second');
    assert.equal((await restarted.peek())?.id, 'third');
    await restarted.remove('third');
    assert.deepEqual([restarted.size, await restarted.peek(), await readdir(directory)], [0, undefined, []]);
  });

  it('refuses an id that cannot be a file name', async (t) => {
    const directory = await mkdtemp(join(tmpdir(), 'pending-reports-'));
    t.after(() => rm(directory, { recursive: true, force: true }));
    const pending = new PendingReports(directory, 2);
    await pending.open();
    await assert.rejects(pending.add(report('../escape', 1)), TypeError);
    assert.deepEqual(await readdir(directory), []);
  });
});
