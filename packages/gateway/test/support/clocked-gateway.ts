import assert from 'node:assert/strict';
import type { PeriodicJob, PeriodicJobStats } from '@steadystate/lifecycle';
import { manualClock, waitFor, type ManualClock } from '@steadystate/lifecycle/testing';
import type { Gateway, GatewayOptions } from '../../src/gateway.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

/**
 * The dashboard's market snapshot (MARKET_DATA_SNAPSHOT_INTERVAL, 10 s) prices twenty symbols
 * each time: over the hours a test moves the clock, that is most of the real time the test takes,
 * and no test on a manual clock reads it. Once at start and then hourly instead.
 */
export const HOURLY_SNAPSHOTS = { MARKET_DATA_SNAPSHOT_INTERVAL: '3600' } as const;

/** A test gateway on a manual clock, and the way to move it. */
export interface ClockedGateway extends TestGateway {
  readonly clock: ManualClock;
  /** {@link advance} of this gateway's clock. */
  readonly advance: (ms: number) => Promise<void>;
}

/** {@link startTestGateway} on a fresh manual clock, with {@link HOURLY_SNAPSHOTS} unless `env` says otherwise. */
export async function startClockedGateway(
  env: Record<string, string> = {},
  options: Partial<GatewayOptions> = {},
): Promise<ClockedGateway> {
  const clock = manualClock();
  const started = await startTestGateway({ ...HOURLY_SNAPSHOTS, ...env }, { ...options, clock });
  return { ...started, clock, advance: (ms) => advance(started.gateway, clock, ms) };
}

/**
 * Moves `clock`, the clock `gateway` was started on, forward by `ms` as the gateway lives through
 * that time with its clients connected: in steps of at most one keepalive interval, each followed
 * by every client's answer to the ping the step may have sent (on real time, as a client answers).
 * Moved in one go, the keepalive would ping twice before any client could answer, and drop them.
 */
export async function advance(gateway: Gateway, clock: ManualClock, ms: number): Promise<void> {
  const keepalive = gateway.parts.sockets.jobs.find((job) => job.name === 'ws-keepalive');
  assert.ok(keepalive, 'the gateway has a keepalive job');
  const { clients } = gateway.parts;
  for (let left = ms; left > 0;) {
    const step = Math.min(left, keepalive.intervalMs);
    await clock.advanceAsync(step);
    left -= step;
    await waitFor(
      () => [...clients.values()].every((client) => client.alive),
      'every client to answer the keepalive ping',
    );
  }
}

/**
 * Moves the clock forward by `ms`, then waits (on real time) until `job` has no run in progress:
 * the run a tick started does its I/O for real. Returns the job's stats then.
 */
export async function runAfter(
  gateway: Gateway,
  clock: ManualClock,
  ms: number,
  job: PeriodicJob,
): Promise<PeriodicJobStats> {
  await advance(gateway, clock, ms);
  await waitFor(() => !job.running, `the ${job.name} run to end`);
  return job.stats();
}
