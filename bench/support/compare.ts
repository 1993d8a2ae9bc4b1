/**
 * The benchmarks' one harness: a subject against the baseline a user would pick instead, in the
 * same process and run. Both are warmed up, then timed in alternating order round after round,
 * so neither always runs on a warmer or colder heap. With `--expose-gc`, one forced GC after the
 * warm-up starts the timed rounds on a clean heap. There is none between rounds: a forced full GC
 * also throws away optimized code that refers to objects it collected (V8 traces these as "weak
 * objects" deoptimizations), so every round would be timed re-optimizing. The result is the
 * median of the per-round ratios; absolute speeds are printed only as context, since they say
 * more about the machine than about the code.
 *
 * A round is timed in CPU time (`process.cpuUsage`, user + system, every thread of the process,
 * so GC helper threads count) rather than wall time: on a shared machine a round that is merely
 * descheduled would otherwise look slow.
 */
import { median } from './stats.js';

/** One side of a comparison. `round()` performs exactly `opsPerRound` operations. */
export interface Contender {
  name: string;
  round: () => unknown;
}

export interface Scenario {
  title: string;
  opsPerRound: number;
  baseline: Contender;
  subject: Contender;
  /** The subject's throughput divided by the baseline's should be at least this. */
  aim: number;
  /** Timed rounds per contender. @default 21 */
  rounds?: number;
  /** Untimed rounds per contender first, to let the JIT settle. @default 5 */
  warmupRounds?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Runs the scenario and prints both speeds and the median ratio (subject ops/s ÷ baseline ops/s). */
export async function compare(scenario: Scenario): Promise<void> {
  const { baseline, subject, opsPerRound } = scenario;
  const rounds = scenario.rounds ?? 21;
  for (let i = 0; i < (scenario.warmupRounds ?? 5); i++) {
    await baseline.round();
    await subject.round();
  }
  gc?.();
  const ratios: number[] = [];
  const baselineMs: number[] = [];
  const subjectMs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let b: number;
    let s: number;
    if (i % 2 === 0) {
      b = await timeRound(baseline);
      s = await timeRound(subject);
    } else {
      s = await timeRound(subject);
      b = await timeRound(baseline);
    }
    baselineMs.push(b);
    subjectMs.push(s);
    ratios.push(b / s);
  }
  const speed = (ms: number[]) => opsPerRound / (median(ms) / 1000);
  const width = Math.max(subject.name.length, baseline.name.length);
  const line = (name: string, ops: number) =>
    `  ${name.padEnd(width)} ${Math.round(ops).toLocaleString('en-US').padStart(12)} ops per CPU-second`;
  const ratio = median(ratios);
  console.log(`\n${scenario.title}`);
  console.log(line(subject.name, speed(subjectMs)));
  console.log(line(baseline.name, speed(baselineMs)));
  console.log(
    `  ratio ${ratio.toFixed(2)} (median of ${rounds} rounds, ` +
      `min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)}); ` +
      `aim >= ${scenario.aim}: ${ratio >= scenario.aim ? 'met' : 'MISSED'}`,
  );
}

/** CPU milliseconds the round took. */
async function timeRound(contender: Contender): Promise<number> {
  const started = process.cpuUsage();
  await contender.round();
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000;
}
