#!/usr/bin/env node
import { parseCommandLine, type CommandLine } from './command-line.js';
import { UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { runSoak } from './runner.js';

/** After the run, the process should exit by itself; anything still open this long is forced out. */
const EXIT_GRACE_MS = 5000;

/**
 * `steadystate-soak`: parse the command line (exit 2 on a bad one), run the soak, exit with
 * its code (0 pass, 1 fail, 3 run error, 4 inconclusive). The first SIGINT or SIGTERM ends the
 * run early with its outputs written; a second one exits at once (killing a target the runner
 * started, through its exit hook).
 */
async function main(): Promise<void> {
  let command: CommandLine;
  try {
    command = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`steadystate-soak: ${error.message}\nRun with --help for the options.\n`);
      process.exitCode = ExitCode.USAGE;
      return;
    }
    throw error;
  }
  if (command.kind === 'print') {
    process.stdout.write(command.text);
    return;
  }
  const interrupt = new AbortController();
  const onSignal = () => {
    if (!interrupt.signal.aborted) {
      interrupt.abort();
      return;
    }
    process.stderr.write('\nsteadystate-soak: second signal; stopping without writing the outputs\n');
    process.exit(ExitCode.RUN_ERROR);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stderr.write(`steadystate-soak: writing to ${command.options.outDir}\n`);
  const result = await runSoak(command.options, { stderr: process.stderr, signal: interrupt.signal });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.exitCode = result.exitCode;
  setTimeout(() => {
    process.stderr.write('steadystate-soak: handles were still open after the run; exiting\n');
    process.exit(result.exitCode);
  }, EXIT_GRACE_MS).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `steadystate-soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(ExitCode.RUN_ERROR);
});
