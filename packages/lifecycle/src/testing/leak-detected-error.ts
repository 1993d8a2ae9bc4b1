import { LifecycleError, LifecycleErrorCode } from '../errors.js';
import type { LeakCheckResult } from './assert-no-leak-options.js';
import type { TypeGrowth } from './heap-diff.js';

/** Readings listed in full up to this many; beyond, the first and last half of it. */
const MAX_LISTED_SAMPLES = 20;
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 4 });
const signed = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0, signDisplay: 'exceptZero' });

/**
 * Thrown by {@link assertNoLeak} when the heap grows faster than its limit. The message tells
 * the whole story (slope, interval, readings, grown types); the fields carry the same for code.
 */
export class LeakDetectedError extends LifecycleError {
  readonly label: string;
  readonly result: LeakCheckResult;
  /** The types that grew over one more batch of calls, most bytes first; empty when not diffed. */
  readonly growth: readonly TypeGrowth[];
  /** Why the heap diff could not be made, when it failed. */
  readonly heapDiffError: Error | undefined;

  constructor(result: LeakCheckResult, growth: readonly TypeGrowth[], heapDiffError?: Error) {
    super(LifecycleErrorCode.LEAK_DETECTED, formatReport(result, growth, heapDiffError));
    this.name = 'LeakDetectedError';
    this.label = result.label;
    this.result = result;
    this.growth = growth;
    this.heapDiffError = heapDiffError;
  }
}

function formatReport(result: LeakCheckResult, growth: readonly TypeGrowth[], diffError?: Error): string {
  const { interval } = result;
  const measured = (result.samples.at(-1)?.iteration ?? 0) - (result.samples[0]?.iteration ?? 0);
  return [
    `${result.label}: heap grows ${decimal.format(result.bytesPerIteration)} B per iteration ` +
      `(${percent.format(result.confidence)} interval ${decimal.format(interval.lower)} to ${decimal.format(interval.upper)}, ` +
      `limit ${decimal.format(result.limitBytesPerIteration)}, r² ${result.r2.toFixed(3)}): ` +
      `${integer.format(result.growthBytes)} B over ${integer.format(measured)} iterations`,
    'heap used after GC (iteration -> bytes):',
    ...listSamples(result),
    ...listGrowth(growth, diffError),
  ].join('\n');
}

function listSamples(result: LeakCheckResult): string[] {
  const line = ({ iteration, heapUsed }: { iteration: number; heapUsed: number }) =>
    `  ${integer.format(iteration)} -> ${integer.format(heapUsed)}`;
  const { samples } = result;
  if (samples.length <= MAX_LISTED_SAMPLES) return samples.map(line);
  const half = MAX_LISTED_SAMPLES / 2;
  return [
    ...samples.slice(0, half).map(line),
    `  ... ${samples.length - MAX_LISTED_SAMPLES} more ...`,
    ...samples.slice(-half).map(line),
  ];
}

function listGrowth(growth: readonly TypeGrowth[], diffError?: Error): string[] {
  if (diffError) return [`object types that grew: unknown, the heap diff failed: ${diffError.message}`];
  if (growth.length === 0) return [];
  return [
    'object types that grew over one more batch (objects, bytes):',
    ...growth.map(
      (type) => `  ${type.name}: ${signed.format(type.countDelta)}, ${signed.format(type.sizeDelta)} B`,
    ),
  ];
}
