import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { InvalidOptionError } from '../src/errors.js';
import { limitHeapGrowth } from '../src/memory/heap-growth.js';

const execFileAsync = promisify(execFile);
const heapGrowthUrl = new URL('../src/memory/heap-growth.js', import.meta.url).href;

/**
 * A fixed workload in a fresh process: about 40 MB kept alive, then 150 batches of short-lived
 * garbage, each batch replacing one kept object. Prints the largest heapTotal seen, in MB.
 */
async function peakHeapTotalMb(percent: number | null): Promise<number> {
  const code = `
    import { limitHeapGrowth } from ${JSON.stringify(heapGrowthUrl)};
    ${percent === null ? '' : `limitHeapGrowth(${percent});`}
    const kept = Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'kept-' + i, pair: [i, i] }));
    let peak = 0;
    for (let batch = 0; batch < 150; batch++) {
      const garbage = Array.from({ length: 30_000 }, (_, i) => ({ i, s: 'garbage-' + i, one: [i] }));
      kept[(batch * 7919) % kept.length] = garbage[batch];
      peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    process.stdout.write(String(peak / 2 ** 20));
  `;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', code], { env });
  return Number(stdout);
}

describe('limitHeapGrowth', () => {
  for (const bad of [-1, 1.5, 301, Number.NaN, '20', undefined]) {
    it(`rejects ${String(bad)} naming "percent"`, () => {
      assert.throws(
        () => limitHeapGrowth(bad as number),
        (error: unknown) => error instanceof InvalidOptionError && error.option === 'percent',
      );
    });
  }

  it('keeps the heap of a fast-allocating process closer to its live size than V8 does by default', async () => {
    const byDefault = await peakHeapTotalMb(null);
    const limited = await peakHeapTotalMb(20);
    assert.ok(
      limited < byDefault,
      `peak heapTotal ${limited.toFixed(0)} MB with 20% growth, ${byDefault.toFixed(0)} MB by default`,
    );
  });
});
