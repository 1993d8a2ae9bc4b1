#!/usr/bin/env node
// Runs the compiled test files (packages/*/build/test/**/*.test.js) with node:test.
// Usage: node scripts/run-tests.mjs [path-fragment ...]
//   With fragments, only files whose path contains one of them run
//   (e.g. `npm test -- bounded-cache`).
// Tests run against tsc's output, the code that ships, with --expose-gc for the leak tests.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);

function findTests(dir) {
  let found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found = found.concat(findTests(path));
    else if (entry.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const packagesDir = join(root, 'packages');
const files = readdirSync(packagesDir)
  .map((pkg) => join(packagesDir, pkg, 'build', 'test'))
  .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
  .flatMap(findTests)
  .filter((file) => filters.length === 0 || filters.some((f) => relative(root, file).includes(f)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(', ') || '(all)'}; did the build run?`);
  process.exit(1);
}

// One file at a time: leak tests measure the heap and must not compete for the two cores.
const result = spawnSync(
  process.execPath,
  ['--expose-gc', '--enable-source-maps', '--test', '--test-concurrency=1', ...files],
  { stdio: 'inherit', cwd: root },
);
process.exit(result.status ?? 1);
