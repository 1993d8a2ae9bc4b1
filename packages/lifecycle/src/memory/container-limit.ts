import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a container memory limit was found. */
export type ContainerLimitSource = 'cgroup-v2' | 'cgroup-v1' | 'constrained-memory';

export interface ContainerLimit {
  bytes: number;
  source: ContainerLimitSource;
}

/** Limits at or above 2^60 bytes are the kernel's way of saying "no limit". */
const NO_LIMIT = 2 ** 60;

export interface ContainerLimitPaths {
  /** @default '/sys/fs/cgroup' */
  cgroupRoot?: string;
  /** @default '/proc/self/cgroup' */
  procSelfCgroup?: string;
  /** Node's own reading; injectable so tests can leave it out. @default process.constrainedMemory */
  constrainedMemory?: () => number | undefined;
}

/**
 * The tightest memory limit imposed on this process from outside: cgroup v2 `memory.max`,
 * cgroup v1 `memory.limit_in_bytes` (of the process's own cgroup, then of the root as a
 * namespaced container sees it) and `process.constrainedMemory()`. Null when there is none.
 */
export function detectContainerLimit(paths: ContainerLimitPaths = {}): ContainerLimit | null {
  const cgroupRoot = paths.cgroupRoot ?? '/sys/fs/cgroup';
  const cgroups = parseProcCgroup(readText(paths.procSelfCgroup ?? '/proc/self/cgroup'));
  const candidates: ContainerLimit[] = [];

  const v2Path = cgroups.get('');
  for (const dir of uniqueDirs(cgroupRoot, v2Path)) {
    pushLimit(candidates, readText(join(dir, 'memory.max')), 'cgroup-v2');
  }
  const v1Path = cgroups.get('memory');
  for (const dir of uniqueDirs(join(cgroupRoot, 'memory'), v1Path)) {
    pushLimit(candidates, readText(join(dir, 'memory.limit_in_bytes')), 'cgroup-v1');
  }
  const constrained = (paths.constrainedMemory ?? defaultConstrainedMemory)();
  if (constrained !== undefined && constrained > 0 && constrained < NO_LIMIT) {
    candidates.push({ bytes: constrained, source: 'constrained-memory' });
  }
  return candidates.reduce<ContainerLimit | null>(
    (tightest, c) => (tightest && tightest.bytes <= c.bytes ? tightest : c),
    null,
  );
}

/** Maps controller name ('' for the v2 unified hierarchy) to the process's cgroup path. */
function parseProcCgroup(text: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, controllers = '', path = '/'] = match;
    for (const controller of controllers.split(',')) map.set(controller, path);
  }
  return map;
}

/** The process's own cgroup directory first, then the hierarchy root (what a container sees). */
function uniqueDirs(root: string, cgroupPath: string | undefined): string[] {
  const dirs = cgroupPath && cgroupPath !== '/' ? [join(root, cgroupPath), root] : [root];
  return [...new Set(dirs)];
}

function pushLimit(into: ContainerLimit[], text: string | undefined, source: ContainerLimitSource): void {
  const trimmed = text?.trim();
  if (!trimmed || trimmed === 'max') return;
  const bytes = Number(trimmed);
  if (Number.isFinite(bytes) && bytes > 0 && bytes < NO_LIMIT) into.push({ bytes, source });
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // absent on this kernel or not permitted: that source simply gives no limit
  }
}

function defaultConstrainedMemory(): number | undefined {
  return typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : undefined;
}
