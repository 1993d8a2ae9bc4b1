#!/usr/bin/env node
// Runs the compiled benchmarks (bench/build/*.bench.js), one process each, with --expose-gc so a
// benchmark can collect garbage between rounds instead of timing the previous round's.
// Usage: node scripts/run-bench.mjs [name-fragment ...]
//   With fragments, only benchmarks whose file name contains one of them run
//   (e.g. `npm run bench -- keyed-mutex`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const buildDir = fileURLToPath(new URL('../bench/build', import.meta.url));
const filters = process.argv.slice(2);

const files = (existsSync(buildDir) ? readdirSync(buildDir, { withFileTypes: true }) : [])
  .filter((entry) => entry.isFile() && entry.name.endsWith('.bench.js'))
  .map((entry) => entry.name)
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();

if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ') || '(all)'}; did the build run?`);
  process.exit(1);
}

let failed = false;
// One at a time: two benchmarks sharing the two cores would measure each other.
for (const file of files) {
  console.log(`\n# ${file.replace(/\.bench\.js$/, '')}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(buildDir, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
