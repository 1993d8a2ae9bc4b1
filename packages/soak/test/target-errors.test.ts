import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../src/command-line.js';
import { SoakErrorCode } from '../src/errors.js';
import { ExitCode } from '../src/exit-codes.js';
import type { SoakSummary } from '../src/report/summary.js';
import { runSoak } from '../src/runner.js';
import { tempDir } from './support/temp-dir.js';

/** Runs the runner in this process against `command` and returns its result and summary.json. */
async function soakCommand(
  command: string,
  dir: string,
): Promise<{ exitCode: number; summary: SoakSummary }> {
  const parsed = parseCommandLine(['--target', command, '--duration', '10s', '--out', dir]);
  assert.equal(parsed.kind, 'run');
  const result = await runSoak(parsed.options, { stderr: { write: () => true } });
  const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as SoakSummary;
  return { exitCode: result.exitCode, summary };
}

/** A node one-liner for --target: prints `line` on stdout, then stays up until signalled. */
function printsThenWaits(line: object): string {
  const script = `console.log(${JSON.stringify(JSON.stringify(line))}); setInterval(() => {}, 1000)`;
  return `${process.execPath} -e '${script}'`;
}

describe('target failures', () => {
  it('refuses a target that listens on a non-loopback address, and stops it', async () => {
    const dir = await tempDir('not-loopback');
    try {
      const { exitCode, summary } = await soakCommand(
        printsThenWaits({ msg: 'gateway listening', url: 'http://10.1.2.3:8765' }),
        dir.path,
      );
      assert.equal(exitCode, ExitCode.RUN_ERROR);
      assert.equal(summary.error?.code, SoakErrorCode.NOT_LOOPBACK);
      assert.equal(summary.samples.count, 0, 'nothing was sampled or loaded');
      assert.equal(summary.verdict, 'INCONCLUSIVE');
    } finally {
      await dir.remove();
    }
  });

  it('reports a target that exits before it listens, with the end of its stderr', async () => {
    const dir = await tempDir('exits');
    try {
      const { exitCode, summary } = await soakCommand(
        `${process.execPath} -e 'console.error("no config"); process.exit(2)'`,
        dir.path,
      );
      assert.equal(exitCode, ExitCode.RUN_ERROR);
      assert.equal(summary.error?.code, SoakErrorCode.TARGET_EXITED);
      const stderr = await readFile(join(dir.path, 'target.stderr.log'), 'utf8');
      assert.equal(stderr.trim(), 'no config', "the target's stderr went to its log file");
    } finally {
      await dir.remove();
    }
  });
});
