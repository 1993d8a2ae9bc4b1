import {
  closeStep,
  type AsyncDisposableStack,
  type ClockSource,
  type MemoryReading,
  type SchedulingOptions,
} from '@steadystate/lifecycle';
import type { FastifyBaseLogger } from 'fastify';
import type { GatewayConfig } from '../config/config.js';
import type { ExchangeCatalog } from '../upstream/exchange-catalog.js';

/** What an embedder or a test may hand to `startGateway` besides the configuration. */
export interface GatewayOptions {
  logger: FastifyBaseLogger;
  /** The exchanges to serve. @default the simulated exchange plus CCXT_EXCHANGES */
  catalog?: ExchangeCatalog;
  /** Memory reading source of the monitor; tests inject one to reach CRITICAL on demand. */
  readMemory?: () => MemoryReading;
  /**
   * The time and timers of every schedule and delay in the gateway: adapter teardown, retention,
   * sweeps, the indices and report schedules, keepalive. Tests pass a manual clock
   * (`manualClock()` of `@steadystate/lifecycle/testing`) to move them by hand.
   * @default systemClockSource (real time)
   */
  clock?: ClockSource;
}

/** What every `build…` function of the composition works with. */
export interface BuildContext {
  readonly config: GatewayConfig;
  readonly options: GatewayOptions;
  readonly logger: FastifyBaseLogger;
  readonly clock: ClockSource;
  /**
   * Owns every part as soon as it is built. Disposed in reverse order: at shutdown, or at once
   * when the start fails half-way, so a failed start leaves nothing running.
   */
  readonly parts: AsyncDisposableStack;
  /** Called in order once every part is built and the server listens: schedules start here. */
  readonly starters: (() => void)[];
}

/** Owns a part under `name`: closed at shutdown (or on a failed start), a failure logged with the name. */
export function own(context: BuildContext, name: string, close: () => unknown): void {
  context.parts.defer(closeStep(name, close));
}

/** The options every scheduling part is built with: the gateway's clock, and nothing running before the start. */
export function scheduling(context: BuildContext): SchedulingOptions & { now: () => number } {
  return { now: context.clock.now, timers: context.clock.timers, autostart: false };
}
