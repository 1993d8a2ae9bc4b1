import { mkdir } from 'node:fs/promises';
import { AsyncDisposableStack, closeStep, disposeReporting } from '@steadystate/lifecycle';
import { join } from 'node:path';
import { analyze, trendMbPerHour } from './analysis.js';
import { SoakError, SoakErrorCode } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { GatewayProbe } from './gateway-probe.js';
import { GatewayProfile } from './load/gateway-profile.js';
import type { SoakOptions } from './options.js';
import { ProgressLine, type ProgressOutput } from './progress.js';
import { buildSummary, finalStatsJson, OUTPUT_FILES, type SoakSummary } from './report/summary.js';
import { writeOutputs } from './report/write-outputs.js';
import type { BoundedLog, Sample } from './sample.js';
import { Sampler } from './sampler.js';
import { credentialsFor, startTarget } from './target/start-target.js';
import type { Target, TargetExit } from './target/target.js';

export interface RunIo {
  /** Where the progress line and the closing lines go. */
  stderr: ProgressOutput;
  /** Aborting it (SIGINT) ends the run early: outputs are written and the summary says "interrupted". */
  signal?: AbortSignal;
}

export interface SoakResult {
  exitCode: ExitCode;
  /** Null when not even the output folder could be made. */
  summary: SoakSummary | null;
  outDir: string;
}

/** Why the run stopped. */
type Ending = { kind: 'duration' } | { kind: 'interrupted' } | { kind: 'error'; error: SoakError };

/**
 * Runs one soak: starts (or attaches to) the target, samples it every second, drives the load
 * profile until --duration (or SIGINT, or the target's death), then stops everything it started
 * in a fixed order (sampler, load, target), analyses the samples and writes the outputs. Never
 * throws for a failure of the run: it is in the summary and the exit code.
 */
export async function runSoak(options: SoakOptions, io: RunIo): Promise<SoakResult> {
  const { outDir } = options;
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    io.stderr.write(`steadystate-soak: cannot create ${outDir}: ${String(error)}\n`);
    return { exitCode: ExitCode.RUN_ERROR, summary: null, outDir };
  }
  const credentials = credentialsFor(options);
  const progress = new ProgressLine(io.stderr);
  let startedAt = new Date();
  let t0 = performance.now();
  let target: Target | undefined;
  let sampler: Sampler | undefined;
  let probe: GatewayProbe | undefined;
  let profile: GatewayProfile | undefined;
  const stopped: { exit: TargetExit | null } = { exit: null };
  let ending: Ending;
  // What the run started, stopped in reverse: the sampler (stop measuring), the load, the target.
  const parts = new AsyncDisposableStack();
  try {
    target = await startTarget(options, credentials);
    const started = target;
    parts.defer(closeStep('target', async () => void (stopped.exit = await started.stop())));
    // Pushed before the sampler although it starts after it: the load stops after the last sample.
    parts.defer(closeStep('load', () => profile?.close()));
    probe = new GatewayProbe({ httpUrl: target.httpUrl, adminToken: credentials.adminToken });
    startedAt = new Date();
    t0 = performance.now();
    const gone = new AbortController();
    const s = new Sampler({
      pid: target.pid,
      probe,
      loadClients: () => profile?.openClients ?? 0,
      startedAt: t0,
      durationSeconds: options.durationSeconds,
      ndjsonPath: join(outDir, OUTPUT_FILES.samples),
      onSample: (sample) => showProgress(progress, options, sample, s.recording.samples),
      onTargetGone: () => gone.abort(),
    });
    sampler = s;
    parts.defer(closeStep('sampler', () => s.close()));
    s.start();
    profile = await GatewayProfile.start({
      httpUrl: target.httpUrl,
      wsUrl: target.wsUrl,
      apiKey: credentials.apiKey,
      clients: options.clients,
      churnPerSecond: options.churnPerSecond,
      slowShare: options.slowShare,
      badShare: options.badShare,
      scanEverySeconds: options.scanEverySeconds,
      reportEverySeconds: options.reportEverySeconds,
      seed: options.seed,
    });
    ending = await waitForEnd(options.durationSeconds * 1000 - (performance.now() - t0), {
      ...(io.signal ? { interrupt: io.signal } : {}),
      targetGone: gone.signal,
      targetExited: started.exited,
      pid: started.pid,
    });
  } catch (error) {
    ending = { kind: 'error', error: asSoakError(error) };
  }
  const durationSeconds = (performance.now() - t0) / 1000;

  progress.finish();
  await disposeReporting(parts, (error) =>
    io.stderr.write(`steadystate-soak: ${error instanceof Error ? error.message : String(error)}\n`),
  );
  const { exit } = stopped;
  if (ending.kind !== 'error' && exit !== null && (exit.code !== 0 || exit.killed)) {
    ending = {
      kind: 'error',
      error: new SoakError(
        SoakErrorCode.TARGET_UNCLEAN_EXIT,
        `the target ${exit.killed ? 'did not exit after SIGTERM and was killed' : `exited with ${exit.code ?? exit.signal} after SIGTERM`}`,
      ),
    };
  }

  const samples = sampler?.recording.samples;
  const analysis = analyze(samples?.items ?? [], options.warmupSeconds, options.maxSlopeMbPerHour);
  const exitCode =
    ending.kind === 'error'
      ? ExitCode.RUN_ERROR
      : { PASS: ExitCode.PASS, FAIL: ExitCode.FAIL, INCONCLUSIVE: ExitCode.INCONCLUSIVE }[
          analysis.verdict.verdict
        ];
  const finalStats = sampler?.lastStats ?? null;
  const summary = buildSummary({
    options,
    status:
      ending.kind === 'duration' ? 'completed' : ending.kind === 'interrupted' ? 'interrupted' : 'error',
    error: ending.kind === 'error' ? { code: ending.error.code, message: ending.error.message } : null,
    exitCode,
    startedAt,
    finishedAt: new Date(),
    durationSeconds,
    analysis,
    samples: {
      count: samples?.size ?? 0,
      dropped: samples?.dropped ?? 0,
      failed: sampler?.failedSamples ?? 0,
      ndjsonError: sampler?.ndjsonError?.message ?? null,
    },
    events: sampler?.recording.events.items ?? [],
    structures: sampler?.recording.structures ?? new Map(),
    load: profile?.counters.toJSON() ?? {},
    target: {
      kind: options.target.kind,
      pid: target?.pid ?? null,
      url: target?.httpUrl ?? null,
      command: options.target.kind === 'command' ? options.target.command : null,
      exit,
      final_stats: finalStats && finalStatsJson(finalStats),
      probe_failures: Object.fromEntries(probe?.failures ?? []),
    },
  });
  try {
    await writeOutputs({
      outDir,
      summary,
      samples: samples?.items ?? [],
      events: sampler?.recording.events.items ?? [],
      rssTrend: analysis.rss?.trend ?? null,
    });
  } catch (error) {
    io.stderr.write(`steadystate-soak: cannot write the outputs to ${outDir}: ${String(error)}\n`);
    return { exitCode: ExitCode.RUN_ERROR, summary, outDir };
  }
  if (ending.kind === 'error')
    io.stderr.write(`steadystate-soak: ${ending.error.code}: ${ending.error.message}\n`);
  io.stderr.write(`${summary.verdict}: ${summary.verdict_reason}\nOutputs in ${outDir}\n`);
  return { exitCode, summary, outDir };
}

interface EndSources {
  interrupt?: AbortSignal;
  targetGone: AbortSignal;
  targetExited: Promise<TargetExit>;
  pid: number;
}

/**
 * Resolves when the run should stop: its time is up, SIGINT arrived, or the target is gone.
 * The duration timer is the one timer left referenced: it keeps the process alive for the run.
 */
function waitForEnd(remainingMs: number, s: EndSources): Promise<Ending> {
  return new Promise((resolve) => {
    const gone = (how: string): Ending => ({
      kind: 'error',
      error: new SoakError(SoakErrorCode.TARGET_EXITED, `the target (pid ${s.pid}) ${how} during the run`),
    });
    const finish = (ending: Ending) => {
      clearTimeout(timer);
      s.interrupt?.removeEventListener('abort', onInterrupt);
      s.targetGone.removeEventListener('abort', onGone);
      resolve(ending);
    };
    const onInterrupt = () => finish({ kind: 'interrupted' });
    const onGone = () => finish(gone('disappeared'));
    const timer = setTimeout(() => finish({ kind: 'duration' }), Math.max(0, remainingMs));
    if (s.interrupt?.aborted) return finish({ kind: 'interrupted' });
    s.interrupt?.addEventListener('abort', onInterrupt, { once: true });
    s.targetGone.addEventListener('abort', onGone, { once: true });
    void s.targetExited.then((exit) => finish(gone(`exited with ${exit.code ?? exit.signal}`)));
  });
}

/** The progress line's slope is fitted to at most this many samples, so its cost stays flat over a long run. */
const PROGRESS_FIT_POINTS = 1000;

function showProgress(
  progress: ProgressLine,
  o: SoakOptions,
  sample: Sample,
  samples: BoundedLog<Sample>,
): void {
  if (!progress.due()) return;
  const warmingUp = sample.t < o.warmupSeconds;
  let trend = null;
  if (!warmingUp) {
    const settled = samples.items.filter((s) => s.t >= o.warmupSeconds && s.rssMb !== null);
    const stride = Math.ceil(settled.length / PROGRESS_FIT_POINTS);
    trend = trendMbPerHour(
      settled.filter((_, i) => i % stride === 0).map((s) => ({ t: s.t, mb: s.rssMb ?? 0 })),
    );
  }
  progress.update({
    elapsedSeconds: sample.t,
    durationSeconds: o.durationSeconds,
    clients: sample.loadClients,
    targetClients: sample.targetClients,
    rssMb: sample.rssMb,
    heapUsedMb: sample.heapUsedMb,
    slopeMbPerHour: trend?.slopeMbPerHour ?? null,
    warmingUp,
  });
}

function asSoakError(error: unknown): SoakError {
  if (error instanceof SoakError) return error;
  return new SoakError(SoakErrorCode.INTERNAL, error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}
