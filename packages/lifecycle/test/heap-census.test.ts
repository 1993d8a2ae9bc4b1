import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeHeapSnapshot } from 'node:v8';
import { readHeapCensus, type HeapCensus } from '../src/testing/heap-census.js';
import { diffHeapCensus, heapDiff } from '../src/testing/heap-diff.js';
import { HeapSnapshotParser } from '../src/testing/heap-snapshot-parser.js';

const NODE_FIELDS = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
const NODE_TYPES = [
  'hidden',
  'array',
  'string',
  'object',
  'code',
  'closure',
  'native',
  'concatenated string',
];
const type = (name: string) => NODE_TYPES.indexOf(name);

/** A small snapshot in V8's layout, with names that need JSON escapes and strings that look like syntax. */
function syntheticSnapshot(): { text: string; expected: HeapCensus } {
  const strings = [
    '<dummy>',
    'LeakedRecord',
    'Quo"ted',
    'ends in a backslash \\',
    'Ünïcödé 🚀',
    'system / Context',
    'he said "]" then \\"strings\\":[ and left',
    'a\nnewline',
    'never needed',
  ];
  // [type, name index, self size]
  const nodes: [number, number, number][] = [
    [type('object'), 1, 48],
    [type('object'), 1, 48],
    [type('object'), 1, 56],
    [type('object'), 2, 24],
    [type('native'), 3, 100],
    [type('native'), 4, 7],
    [type('hidden'), 5, 40],
    [type('string'), 6, 60],
    [type('string'), 7, 20],
    [type('concatenated string'), 6, 32],
    [type('closure'), 8, 64],
  ];
  const rows = nodes.map(([t, name, size], id) => [t, name, id * 2 + 1, size, 0, 0, 0].join(','));
  const meta = { node_fields: NODE_FIELDS, node_types: [NODE_TYPES, 'string', 'number', 'number'] };
  const text =
    `{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":${nodes.length},"edge_count":2,` +
    `"trace_function_count":0},\n"nodes":[${rows.join('\n,')}],\n"edges":[1,2,3\n,4,5,6],\n` +
    `"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],\n` +
    `"strings":[${strings.map((s) => JSON.stringify(s)).join(',\n')}]}`;
  const expected: HeapCensus = new Map([
    ['LeakedRecord', { count: 3, size: 152 }],
    ['Quo"ted', { count: 1, size: 24 }],
    ['ends in a backslash \\', { count: 1, size: 100 }],
    ['Ünïcödé 🚀', { count: 1, size: 7 }],
    ['system / Context', { count: 1, size: 40 }],
    ['(string)', { count: 2, size: 80 }],
    ['(concatenated string)', { count: 1, size: 32 }],
    ['(closure)', { count: 1, size: 64 }],
  ]);
  return { text, expected };
}

function parseInChunks(text: string, size: number): { census: HeapCensus; doneEarly: boolean } {
  const parser = new HeapSnapshotParser();
  for (let at = 0; at < text.length; at += size) {
    if (parser.write(text.slice(at, at + size))) {
      return { census: parser.result(), doneEarly: at + size < text.length };
    }
  }
  return { census: parser.result(), doneEarly: false };
}

function sorted(census: HeapCensus): [string, { count: number; size: number }][] {
  return [...census].sort(([a], [b]) => a.localeCompare(b));
}

describe('HeapSnapshotParser', () => {
  it('counts nodes by type name, whatever the chunk boundaries', () => {
    const { text, expected } = syntheticSnapshot();
    for (let size = 1; size <= 64; size++) {
      assert.deepEqual(sorted(parseInChunks(text, size).census), sorted(expected), `chunks of ${size}`);
    }
    assert.deepEqual(sorted(parseInChunks(text, text.length).census), sorted(expected));
  });

  it('stops reading once every needed name is known', () => {
    const { text } = syntheticSnapshot();
    // The last string ("never needed") names only a closure, which is grouped by type.
    assert.equal(parseInChunks(text, 16).doneEarly, true);
  });

  it('rejects input that ends early or is not a snapshot', () => {
    const { text } = syntheticSnapshot();
    const truncated = new HeapSnapshotParser();
    truncated.write(text.slice(0, text.indexOf('"edges"')));
    assert.throws(() => truncated.result(), SyntaxError);
    assert.throws(() => new HeapSnapshotParser().write('{"snapshot":{"meta":{}},"nodes":[1,2]'), SyntaxError);
  });
});

class CensusMarker {
  constructor(readonly index: number) {}
}

/** The same grouping, computed the simple way: JSON.parse of the whole (small) file. */
async function referenceCensus(path: string): Promise<HeapCensus> {
  const snapshot = JSON.parse(await readFile(path, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const census: HeapCensus = new Map();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const nodeType = types[snapshot.nodes[i + fields.indexOf('type')] ?? -1] ?? '';
    const nodeName = snapshot.strings[snapshot.nodes[i + fields.indexOf('name')] ?? -1] ?? '';
    const name = ['object', 'native', 'hidden', 'synthetic'].includes(nodeType) ? nodeName : `(${nodeType})`;
    const entry = census.get(name) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += snapshot.nodes[i + fields.indexOf('self_size')] ?? 0;
    census.set(name, entry);
  }
  return census;
}

describe('readHeapCensus on a real snapshot', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heap-census-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds every instance of a class and agrees with a full JSON.parse of the file', async () => {
    const markers = Array.from({ length: 1234 }, (_, i) => new CensusMarker(i));
    const path = writeHeapSnapshot(join(dir, 'markers.heapsnapshot'));
    assert.equal(markers.length, 1234); // keeps them alive past the snapshot
    const census = await readHeapCensus(path);
    assert.equal(census.get('CensusMarker')?.count, 1234);
    assert.deepEqual(sorted(census), sorted(await referenceCensus(path)));
  });
});

describe('diffHeapCensus', () => {
  it('lists the types that grew, most bytes first, up to the limit', () => {
    const before: HeapCensus = new Map([
      ['Shrinks', { count: 10, size: 1000 }],
      ['Grows', { count: 1, size: 100 }],
      ['Same', { count: 5, size: 50 }],
    ]);
    const after: HeapCensus = new Map([
      ['Shrinks', { count: 2, size: 200 }],
      ['Grows', { count: 11, size: 1100 }],
      ['Same', { count: 5, size: 50 }],
      ['New', { count: 3, size: 4000 }],
      ['Small', { count: 1, size: 8 }],
      ['ZeroSize', { count: 4, size: 0 }],
    ]);
    assert.deepEqual(diffHeapCensus(before, after, 10), [
      { name: 'New', countDelta: 3, sizeDelta: 4000, count: 3, size: 4000 },
      { name: 'Grows', countDelta: 10, sizeDelta: 1000, count: 11, size: 1100 },
      { name: 'Small', countDelta: 1, sizeDelta: 8, count: 1, size: 8 },
      { name: 'ZeroSize', countDelta: 4, sizeDelta: 0, count: 4, size: 0 },
    ]);
    assert.deepEqual(
      diffHeapCensus(before, after, 2).map((g) => g.name),
      ['New', 'Grows'],
    );
  });
});

class DiffGrower {
  constructor(readonly index: number) {}
}

describe('heapDiff', () => {
  it('names what was allocated and kept between the snapshots, and removes its files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'heap-diff-test-'));
    const savedTmpdir = process.env.TMPDIR;
    process.env.TMPDIR = dir; // os.tmpdir() reads it on every call
    const kept: DiffGrower[] = [];
    try {
      const growth = await heapDiff(() => {
        for (let i = 0; i < 777; i++) kept.push(new DiffGrower(i));
        return Promise.resolve();
      }, 10);
      const grower = growth.find((g) => g.name === 'DiffGrower');
      assert.ok(grower, `DiffGrower not among ${growth.map((g) => g.name).join(', ')}`);
      assert.equal(grower.countDelta, 777);
      assert.equal(grower.count, 777);
      assert.ok(growth.length <= 10);
      assert.deepEqual(await readdir(dir), []);
    } finally {
      if (savedTmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmpdir;
      await rm(dir, { recursive: true, force: true });
    }
    assert.equal(kept.length, 777);
  });
});
