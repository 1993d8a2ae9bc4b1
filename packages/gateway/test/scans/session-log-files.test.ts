import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openLogStore, StalledLog } from '../support/log-store.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('session log files', () => {
  it('indexes the logs of an earlier run on open(), reads them and sweeps them', async () => {
    await using logs = await openLogStore({ maxAgeMs: HOUR }, (dir) => {
      writeFileSync(join(dir, 'run-1.log'), 'one\n');
      writeFileSync(join(dir, 'run-2.log'), 'two\ntwo\n');
      // Not session logs: left alone.
      writeFileSync(join(dir, 'notes.txt'), 'keep\n');
      writeFileSync(join(dir, 'bad name.log'), 'keep\n');
    });
    const { store, clock } = logs;
    assert.deepEqual([store.stats().files, store.stats().bytes], [2, 12]);
    assert.deepEqual(await store.read('run-2', 0), { content: 'two\ntwo\n', nextOffset: 8, size: 8 });
    assert.equal(await store.read('run-3', 0), null);

    clock.advance(HOUR);
    assert.equal(await store.sweep(), 2);
    assert.deepEqual(readdirSync(logs.directory).sort(), ['bad name.log', 'notes.txt']);
    assert.deepEqual([store.stats().files, store.stats().bytes], [0, 0]);
  });

  it('deletes hundreds of old logs without making a lock for any of them', async () => {
    await using logs = await openLogStore({ maxAgeMs: HOUR }, (dir) => {
      for (let i = 0; i < 300; i++) writeFileSync(join(dir, `old-${i}.log`), `line ${i}\n`);
    });
    const { store, clock } = logs;
    await store.append('recent', 'still written to\n');
    clock.advance(HOUR - 1);
    // The old files are an hour old by now (and more); the recent one is not.
    assert.equal(await store.sweep(), 300);
    const stats = store.stats();
    assert.deepEqual([stats.files, stats.deleted_old], [1, 300]);
    assert.deepEqual(
      [stats.locks.keys, stats.locks.dropped],
      [1, 0],
      'only the lock of the session written to',
    );
    assert.deepEqual(readdirSync(logs.directory), ['recent.log']);
  });

  it('sweeps old logs before creating a new one, at most once per 5 minutes', async () => {
    await using logs = await openLogStore({ maxAgeMs: MINUTE });
    const { store, clock } = logs;
    await store.create('a'); // sweeps (nothing to delete) and starts the 5 minutes
    clock.advance(2 * MINUTE);
    await store.create('b'); // 'a' is old, but the last sweep was 2 minutes ago
    assert.equal(existsSync(logs.path('a')), true);
    clock.advance(3 * MINUTE);
    await store.create('c'); // 5 minutes since the last sweep: 'a' and 'b' go
    assert.deepEqual(readdirSync(logs.directory), ['c.log']);
    assert.equal(store.stats().deleted_old, 2);
    clock.advance(4 * MINUTE);
    await store.create('d'); // 4 minutes: no sweep, 'c' stays though old
    assert.deepEqual(readdirSync(logs.directory).sort(), ['c.log', 'd.log']);
  });

  it('keeps all logs under LOG_MAX_TOTAL_MB by deleting the oldest ones not being written', async () => {
    let stalled: StalledLog | undefined;
    await using logs = await openLogStore({ maxTotalBytes: 1000, maxFileBytes: 1000 }, (dir) => {
      stalled = new StalledLog(dir, 'oldest'); // indexed on open, so the oldest of all
    });
    const { store, clock } = logs;
    assert.ok(stalled);
    const line = `${'x'.repeat(399)}\n`;
    try {
      const held = store.append('oldest', 'held\n');
      for (const id of ['a', 'b', 'c']) {
        clock.advance(MINUTE);
        assert.equal(await store.append(id, line), true);
      }
      // 1,200 bytes: 'oldest' is skipped while its write is in progress, 'a' goes.
      assert.deepEqual(readdirSync(logs.directory).sort(), [
        'b.log',
        'c.log',
        'oldest.log',
        'oldest.log.reader',
      ]);
      assert.deepEqual([store.stats().bytes, store.stats().deleted_for_space], [800, 1]);
      await stalled.open();
      assert.equal(await held, true);
    } finally {
      await stalled.close();
    }
  });

  it('stops a log at LOG_MAX_FILE_MB and counts the lines it drops', async () => {
    await using logs = await openLogStore({ maxFileBytes: 100 });
    const { store } = logs;
    const line = `${'y'.repeat(29)}\n`; // 30 bytes: three fit, the fourth would pass 100
    const written = [];
    for (let i = 0; i < 6; i++) written.push(await store.append('capped', line));
    assert.deepEqual(written, [true, true, true, false, false, false]);
    assert.equal(readFileSync(logs.path('capped'), 'utf8'), line.repeat(3));
    assert.deepEqual([store.stats().dropped_lines, store.stats().bytes], [3, 90]);
    assert.equal(await store.append('other', line), true, 'other logs go on');
    assert.equal(await store.append('huge', 'z'.repeat(200)), false, 'even as the first line of a log');
    assert.equal(existsSync(logs.path('huge')), false);
  });

  it('reads from an offset in chunks that never split a UTF-8 character', async () => {
    await using logs = await openLogStore();
    const { store } = logs;
    // Lines of 1- to 4-byte characters, then one 90 KB line without a newline: a 64 KiB chunk
    // ends on a line where it can, on a character boundary where it cannot.
    const lines = Array.from({ length: 3000 }, (_, i) => `${i} aé€😀 ${'ü'.repeat(i % 17)}\n`);
    const text = lines.join('') + '€😀'.repeat(13_000);
    for (const piece of [...lines, '€😀'.repeat(13_000)])
      assert.equal(await store.append('utf8', piece), true);

    let offset = 0;
    let reassembled = '';
    let reads = 0;
    for (;;) {
      const chunk = await store.read('utf8', offset);
      assert.ok(chunk);
      if (chunk.content === '') break;
      assert.ok(!chunk.content.includes('\uFFFD'), `a split character at offset ${offset}`);
      assert.equal(chunk.nextOffset, offset + Buffer.byteLength(chunk.content));
      reassembled += chunk.content;
      offset = chunk.nextOffset;
      reads++;
    }
    assert.equal(reassembled, text);
    assert.equal(offset, Buffer.byteLength(text));
    assert.ok(reads >= 4, `read in ${reads} chunks`);
  });
});
