import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskSummary } from '../src/task-types.js';
import { settle } from '../src/testing/wait.js';
import { registry } from './support/tasks.js';

const ownedBy = (owner: string) => (task: TaskSummary) => task.metadata?.owner === owner;

describe('TaskRegistry filters (the tasks of one owner)', () => {
  it('pages through only the tasks the filter accepts, and clears only their results', async () => {
    const tasks = registry<string>({ maxConcurrent: 10 });
    const ids: Record<string, string[]> = { alice: [], bob: [] };
    for (let i = 0; i < 5; i++) {
      for (const owner of ['alice', 'bob']) {
        ids[owner]?.push(tasks.start(() => Promise.resolve(`${owner}-${i}`), { metadata: { owner } }));
      }
    }
    await settle();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = tasks.list({ limit: 2, filter: ownedBy('alice'), ...(cursor ? { cursor } : {}) });
      seen.push(...page.tasks.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(
      seen,
      [...(ids.alice ?? [])].reverse(),
      "alice's tasks, newest first, and none of bob's",
    );

    assert.equal(tasks.clearAllResults(ownedBy('bob')), 5);
    const results = (owner: string) =>
      (ids[owner] ?? []).map((id) => {
        const lookup = tasks.lookup(id);
        return lookup.state === 'found' ? lookup.task.result : 'gone';
      });
    assert.deepEqual(results('bob'), [undefined, undefined, undefined, undefined, undefined]);
    assert.deepEqual(results('alice'), ['alice-0', 'alice-1', 'alice-2', 'alice-3', 'alice-4']);
    await tasks.close();
  });
});
