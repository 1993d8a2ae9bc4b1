import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../src/seeded-random.js';

const draw = (seed: number, n: number) => Array.from({ length: n }, seededRandom(seed));

describe('seededRandom', () => {
  it('repeats its sequence for a seed, differs between seeds, and stays in [0, 1)', () => {
    const a = draw(42, 10_000);
    assert.deepEqual(draw(42, 10_000), a);
    assert.notDeepEqual(draw(43, 10), a.slice(0, 10));
    assert.ok(a.every((x) => x >= 0 && x < 1));
    const mean = a.reduce((sum, x) => sum + x, 0) / a.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  });
});
