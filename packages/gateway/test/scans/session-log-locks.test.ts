import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import { openLogStore, StalledLog } from '../support/log-store.js';

const HOUR = 3_600_000;
const SESSIONS = ['s0', 's1', 's2', 's3'];
const LINES_PER_WRITER = 80;

/** One log line that names its writer and its place: a torn or merged line cannot parse. */
function record(writer: string, seq: number): string {
  return `${writer} #${seq} ${'abcdefghij'.repeat(20 + (seq % 80))} end #${seq}\n`;
}
const RECORD = /^(\S+) #(\d+) (?:abcdefghij)+ end #(\d+)$/;

describe('session log locks', () => {
  it('lets one writer at a time append while sweeps with a far-ahead clock run: every line whole, none lost', async () => {
    // Sweeps every millisecond, and every lock counts as idle 1 ms after its release.
    await using logs = await openLogStore({ lockIdleMs: 1, sweepIntervalMs: 1 });
    const { store, clock } = logs;
    // Meanwhile other sessions come and go, so the table always holds idle locks for the sweeps.
    const others: Promise<boolean>[] = [];
    const ahead = setInterval(() => {
      clock.advance(HOUR);
      others.push(store.append(`other${others.length % 8}`, 'tick\n'));
    }, 1);
    // Three writers per session, each appending its lines one after another: a writer's next
    // append usually arrives while another writer holds the session's lock.
    const writers = SESSIONS.flatMap((session) =>
      [0, 1, 2].map((w) => ({ session, name: `${session}w${w}` })),
    );
    try {
      await Promise.all(
        writers.map(async ({ session, name }) => {
          for (let seq = 0; seq < LINES_PER_WRITER; seq++) {
            assert.equal(await store.append(session, record(name, seq)), true);
          }
        }),
      );
    } finally {
      clearInterval(ahead);
    }
    assert.ok((await Promise.all(others)).every((ok) => ok));
    let bytes = others.length * 'tick\n'.length;
    for (const session of SESSIONS) {
      const content = readFileSync(logs.path(session), 'utf8');
      bytes += Buffer.byteLength(content);
      const seen = new Map<string, number[]>();
      for (const line of content.trimEnd().split('\n')) {
        const match = RECORD.exec(line);
        assert.ok(match && match[2] === match[3], `${session}: a torn or merged line: ${line.slice(0, 80)}`);
        seen.set(match[1] ?? '', [...(seen.get(match[1] ?? '') ?? []), Number(match[2])]);
      }
      for (const [name, seqs] of seen) {
        assert.deepEqual(seqs, [...Array(LINES_PER_WRITER).keys()], `${name}: every line, in order`);
      }
      assert.equal(seen.size, 3);
    }
    // Two writers at once would each add their own bytes to the same old count, losing one.
    const stats = store.stats();
    assert.deepEqual(
      [stats.appends, stats.dropped_lines, stats.write_errors, stats.bytes],
      [writers.length * LINES_PER_WRITER + others.length, 0, 0, bytes],
    );
    clock.advance(HOUR);
    await waitFor(() => store.stats().locks.keys === 0, 'the sweep to drop the idle locks');
  });

  it('never sweeps a lock while its write is in progress, however old, nor deletes its file', async () => {
    let stalled: StalledLog | undefined;
    await using logs = await openLogStore({ lockIdleMs: 1, sweepIntervalMs: 1, maxAgeMs: HOUR }, (dir) => {
      stalled = new StalledLog(dir, 'held');
    });
    const { store, clock } = logs;
    assert.ok(stalled);
    try {
      const first = store.append('held', 'first\n');
      await waitFor(() => store.stats().locks.held === 1, 'the append to take the lock');
      clock.advance(10 * HOUR);
      // A second session's lock goes once idle: the sweeps run, and see this clock.
      assert.equal(await store.append('canary', 'tweet\n'), true);
      clock.advance(2 * HOUR);
      await waitFor(() => !existsSync(logs.path('canary')), 'the sweep to delete the old canary log');
      await waitFor(() => store.stats().locks.keys === 1, 'the sweep to drop the idle canary lock');

      assert.deepEqual(
        [store.stats().locks.held, store.stats().files],
        [1, 1],
        'the held lock and its file stay',
      );
      assert.ok(existsSync(logs.path('held')));
      assert.equal(await store.sweep(), 0, 'an explicit sweep leaves the held log too');

      // A second append to the session waits for the first instead of writing beside it.
      const second = store.append('held', 'second\n');
      await waitFor(() => store.stats().locks.waiting === 1, 'the second append to queue');
      await stalled.open();
      assert.deepEqual(await Promise.all([first, second]), [true, true]);
      assert.equal(await stalled.read(), 'first\nsecond\n');
    } finally {
      await stalled.close();
    }
  });

  it('drops an idle lock once it has been idle for lockIdleMs, and not before', async () => {
    await using logs = await openLogStore({ lockIdleMs: 60_000, sweepIntervalMs: 1 });
    const { store, clock } = logs;
    await store.append('early', 'x\n');
    clock.advance(30_000);
    await store.append('a', 'x\n');
    await store.append('b', 'x\n');
    clock.advance(31_000);
    // 61 s idle for the first, 31 s for the other two.
    await waitFor(() => store.stats().locks.keys === 2, 'the sweep to drop the lock idle for 61 s');
    clock.advance(30_000);
    await waitFor(() => store.stats().locks.keys === 0, 'the sweep to drop the other two');
    assert.equal(await store.append('a', 'y\n'), true, 'a dropped lock is made again when needed');
    assert.equal(readFileSync(logs.path('a'), 'utf8'), 'x\ny\n');
  });

  it('never rejects an append: beyond 1,000 waiting on one session, lines are dropped and counted', async () => {
    await using logs = await openLogStore();
    const { store } = logs;
    const lines = Array.from({ length: 1500 }, (_, i) => record('busy', i));
    const written = await Promise.all(lines.map((line) => store.append('busy', line)));
    // One holds the lock and 1,000 wait for it; the rest are refused at once.
    assert.deepEqual(written, [...Array<boolean>(1001).fill(true), ...Array<boolean>(499).fill(false)]);
    assert.equal(store.stats().dropped_lines, 499);
    assert.equal(readFileSync(logs.path('busy'), 'utf8'), lines.slice(0, 1001).join(''));
  });
});
