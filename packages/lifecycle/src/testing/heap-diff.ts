import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { readHeapCensus, type HeapCensus } from './heap-census.js';

/** How one type of object changed between two heap snapshots. */
export interface TypeGrowth {
  /** The type, as {@link HeapCensus} names it (`LeakedRecord`, `(string)`, `system / Context`). */
  name: string;
  /** Objects gained (negative: lost). */
  countDelta: number;
  /** Bytes of self size gained (negative: lost). */
  sizeDelta: number;
  /** Objects of this type in the second snapshot. */
  count: number;
  /** Their self size in bytes in the second snapshot. */
  size: number;
}

/**
 * The types that grew from `before` to `after`, most bytes gained first, at most `limit` of them.
 * A type that only gained objects of zero self size still counts (by count).
 */
export function diffHeapCensus(before: HeapCensus, after: HeapCensus, limit: number): TypeGrowth[] {
  const grown: TypeGrowth[] = [];
  for (const [name, { count, size }] of after) {
    const old = before.get(name) ?? { count: 0, size: 0 };
    const countDelta = count - old.count;
    const sizeDelta = size - old.size;
    if (sizeDelta > 0 || (sizeDelta === 0 && countDelta > 0)) {
      grown.push({ name, countDelta, sizeDelta, count, size });
    }
  }
  grown.sort(
    (a, b) => b.sizeDelta - a.sizeDelta || b.countDelta - a.countDelta || a.name.localeCompare(b.name),
  );
  return grown.slice(0, limit);
}

/**
 * Writes a heap snapshot, runs `between`, writes a second one, and reports the types that grew.
 * Both snapshots go to files in a temporary directory (deleted afterwards) and are read only
 * after the second is taken, so nothing this function builds is in either heap and the diff
 * shows only what `between` left behind.
 *
 * Cost: each snapshot stops the process while V8 walks the heap, needs several times the heap in
 * memory meanwhile, and writes a file about twice the heap's size. For a 100 MB heap of about
 * 2 million objects that is 10 s or more per snapshot on a busy 2-core machine, plus a second or
 * two to read each file.
 */
export async function heapDiff(between: () => Promise<void>, limit: number): Promise<TypeGrowth[]> {
  const dir = await mkdtemp(join(tmpdir(), 'steadystate-heap-'));
  try {
    const beforePath = writeHeapSnapshot(join(dir, 'before.heapsnapshot'));
    await between();
    const afterPath = writeHeapSnapshot(join(dir, 'after.heapsnapshot'));
    return diffHeapCensus(await readHeapCensus(beforePath), await readHeapCensus(afterPath), limit);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
