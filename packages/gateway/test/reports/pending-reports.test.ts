import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '@steadystate/lifecycle';
import { PendingReports } from '../../src/reports/pending-reports.js';
import type { GeneratedReport } from '../../src/reports/report-content.js';
import { makeTempDir } from '../support/temp-dir.js';

function report(id: string, createdAt: number): GeneratedReport {
  return {
    id,
    created_at: createdAt,
    kind: 'auto',
    owner: null,
    title: id,
    summary: {},
    html_content: `<p>${id}</p>`,
    css_content: '',
    js_content: '',
    html_content_en: `<p>${id}</p>`,
    js_content_en: '',
  };
}

/** The file name the queue gives a report created at `createdAt`. */
const fileOf = (id: string, createdAt: number) => `${String(createdAt).padStart(15, '0')}-${id}.json`;

async function openQueue(directory: string, max = 10, maxInsertAttempts = 3): Promise<PendingReports> {
  const pending = new PendingReports({ directory, max, maxInsertAttempts, logger: silentLogger });
  await pending.open();
  return pending;
}

describe('PendingReports', () => {
  it('holds at most max reports on disk, dropping the oldest, and picks them up in order after a restart', async () => {
    const directory = await makeTempDir('pending-reports-');
    const pending = await openQueue(directory, 2);
    await pending.add(report('first', 1000));
    await pending.add(report('second', 2000));
    await pending.add(report('third', 3000));
    assert.deepEqual([pending.size, pending.dropped], [2, 1]);
    assert.equal((await readdir(directory)).length, 2, 'the dropped report left no file');
    assert.deepEqual(pending.ids(), ['second', 'third']);

    const restarted = await openQueue(directory, 2);
    assert.deepEqual(restarted.ids(), ['second', 'third']);
    assert.equal((await restarted.read('second'))?.html_content, '<p>second</p>');
    await restarted.saved('second');
    await restarted.saved('third');
    assert.deepEqual([restarted.size, restarted.ids(), await readdir(directory)], [0, [], []]);
  });

  it('refuses an id that cannot be a file name', async () => {
    const directory = await makeTempDir('pending-reports-');
    const pending = await openQueue(directory);
    await assert.rejects(pending.add(report('../escape', 1)), TypeError);
    assert.deepEqual(await readdir(directory), []);
  });

  it('moves a torn, a corrupt and an old-format file to rejected/, and the queue goes on', async () => {
    const directory = await makeTempDir('pending-reports-');
    await writeFile(join(directory, fileOf('torn', 1)), '');
    await writeFile(join(directory, fileOf('corrupt', 2)), '{"id":"corrupt","created_at":2,"ki');
    // An earlier layout: one `html` field and an ISO date, which this version cannot save.
    const old = {
      id: 'old',
      created_at: '1970-01-01T00:00:00.003Z',
      kind: 'auto',
      title: 'old',
      html: '<p/>',
    };
    await writeFile(join(directory, fileOf('old', 3)), JSON.stringify(old));
    await writeFile(join(directory, fileOf('good', 4)), JSON.stringify(report('good', 4)));
    await writeFile(join(directory, `${fileOf('unfinished', 5)}.tmp`), '{"id":');

    const pending = await openQueue(directory);
    assert.deepEqual(pending.ids(), ['torn', 'corrupt', 'old', 'good']);
    for (const id of ['torn', 'corrupt', 'old']) assert.equal(await pending.read(id), undefined);
    assert.equal((await pending.read('good'))?.id, 'good');
    assert.deepEqual([pending.ids(), pending.rejected], [['good'], 3]);
    assert.deepEqual((await readdir(join(directory, 'rejected'))).sort(), [
      fileOf('torn', 1),
      fileOf('corrupt', 2),
      fileOf('old', 3),
    ]);
    assert.deepEqual(
      (await readdir(directory)).sort(),
      [fileOf('good', 4), 'rejected'],
      'the temp file is gone',
    );
  });

  it('rejects a report the database refuses while it saves others, never one it refuses with all the rest', async () => {
    const directory = await makeTempDir('pending-reports-');
    const pending = await openQueue(directory, 10, 2);
    await pending.add(report('poison', 1));
    await pending.add(report('fine', 2));
    const refusal = new Error('value too long');
    assert.equal(await pending.refused('poison', refusal), false);
    assert.equal(
      await pending.refused('poison', refusal),
      false,
      'nothing else was saved: the database is at fault',
    );
    await pending.saved('fine');
    assert.equal(await pending.refused('poison', refusal), true, 'refused again after another save');
    assert.deepEqual([pending.ids(), pending.rejected], [[], 1]);
    assert.deepEqual(await readdir(join(directory, 'rejected')), [fileOf('poison', 1)]);
  });

  it('keeps at most max files in rejected/, the newest', async () => {
    const directory = await makeTempDir('pending-reports-');
    for (let i = 1; i <= 4; i++) await writeFile(join(directory, fileOf(`bad${i}`, i)), 'not json');
    const pending = await openQueue(directory, 2);
    for (const id of pending.ids()) await pending.read(id);
    assert.equal(pending.rejected, 4);
    assert.deepEqual((await readdir(join(directory, 'rejected'))).sort(), [
      fileOf('bad3', 3),
      fileOf('bad4', 4),
    ]);
  });
});
