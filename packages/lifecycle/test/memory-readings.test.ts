import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { detectContainerLimit } from '../src/memory/container-limit.js';
import { parseMemoryPressure, readMemoryPressure } from '../src/memory/pressure.js';
import { readMemory } from '../src/memory/read-memory.js';

describe('readMemory', () => {
  it('reads process memory and the heap limit', () => {
    const r = readMemory({ now: () => 42 });
    assert.equal(r.at, 42);
    for (const field of ['rss', 'heapTotal', 'heapUsed', 'heapLimit'] as const)
      assert.ok(r[field] > 0, field);
    assert.ok(r.heapUsed <= r.heapTotal);
    assert.ok(r.containerLimit === null || r.containerLimit > 0);
  });
});

describe('detectContainerLimit', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cgroup-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function tree(name: string, files: Record<string, string>) {
    const dir = join(root, name);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    return {
      cgroupRoot: join(dir, 'sys'),
      procSelfCgroup: join(dir, 'proc-self-cgroup'),
      constrainedMemory: () => undefined,
    };
  }

  it('reads cgroup v2 memory.max of the process cgroup', async () => {
    const paths = await tree('v2', {
      'proc-self-cgroup': '0::/app.slice/svc\n',
      'sys/app.slice/svc/memory.max': '536870912\n',
      'sys/memory.max': 'max\n',
    });
    assert.deepEqual(detectContainerLimit(paths), { bytes: 536870912, source: 'cgroup-v2' });
  });

  it('treats "max" and values >= 2^60 as no limit', async () => {
    const paths = await tree('nolimit', {
      'proc-self-cgroup': '4:memory:/docker/abc\n0::/\n',
      'sys/memory.max': 'max\n',
      'sys/memory/memory.limit_in_bytes': '9223372036854771712\n',
    });
    assert.equal(detectContainerLimit(paths), null);
  });

  it('reads cgroup v1 memory.limit_in_bytes, falling back to the root a container sees', async () => {
    const paths = await tree('v1', {
      'proc-self-cgroup': '9:name=systemd:/\n4:memory:/process_api/xyz\n',
      'sys/memory/memory.limit_in_bytes': '1073741824\n',
    });
    assert.deepEqual(detectContainerLimit(paths), { bytes: 1073741824, source: 'cgroup-v1' });
  });

  it('picks the tightest of all sources', async () => {
    const paths = await tree('mixed', {
      'proc-self-cgroup': '4:memory:/\n0::/\n',
      'sys/memory.max': '2147483648\n',
      'sys/memory/memory.limit_in_bytes': '1073741824\n',
    });
    assert.deepEqual(detectContainerLimit({ ...paths, constrainedMemory: () => 268435456 }), {
      bytes: 268435456,
      source: 'constrained-memory',
    });
    assert.deepEqual(detectContainerLimit({ ...paths, constrainedMemory: () => 2 ** 64 }), {
      bytes: 1073741824,
      source: 'cgroup-v1',
    });
  });

  it('gives no limit when nothing is readable', () => {
    assert.equal(
      detectContainerLimit({
        cgroupRoot: join(root, 'absent'),
        procSelfCgroup: join(root, 'absent-file'),
        constrainedMemory: () => undefined,
      }),
      null,
    );
  });
});

describe('memory pressure (PSI)', () => {
  it('parses some and full lines', () => {
    const text =
      'some avg10=1.50 avg60=0.20 avg300=0.05 total=12345\nfull avg10=0.75 avg60=0.10 avg300=0.00 total=6789\n';
    assert.deepEqual(parseMemoryPressure(text), {
      some: { avg10: 1.5, avg60: 0.2, avg300: 0.05, total: 12345 },
      full: { avg10: 0.75, avg60: 0.1, avg300: 0, total: 6789 },
    });
    assert.equal(parseMemoryPressure('garbage'), null);
    assert.deepEqual(parseMemoryPressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=0')?.full, null);
  });

  it('returns null where the kernel offers no PSI file', () => {
    assert.equal(readMemoryPressure('/nonexistent/pressure/memory'), null);
  });
});
