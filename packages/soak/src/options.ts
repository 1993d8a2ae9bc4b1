/** What the runner soaks: the built gateway it starts, a command it starts, or a process already running. */
export type TargetSpec =
  | { readonly kind: 'gateway' }
  | {
      readonly kind: 'command';
      /** Run with /bin/sh as `exec <command>`, so the pid sampled is the command's own. */
      readonly command: string;
      /** Where it listens; read from its "gateway listening" log line when not given. */
      readonly url: string | undefined;
    }
  | { readonly kind: 'attach'; readonly pid: number; readonly url: string };

/** Load profiles the runner knows. */
export const PROFILES = ['gateway'] as const;
export type Profile = (typeof PROFILES)[number];

/** A validated command line. */
export interface SoakOptions {
  /** The load to drive. @default 'gateway' */
  readonly profile: Profile;
  /** WebSocket clients kept connected at once. @default 50 */
  readonly clients: number;
  /** How long the run lasts, in seconds; the runner stops by itself then. @default 600 */
  readonly durationSeconds: number;
  /**
   * Samples before this many seconds are left out of the slope: start-up allocations, JIT and
   * heap growth to the working size are not a leak.
   * @default 20% of the duration, at least 10 s, at most half the duration
   */
  readonly warmupSeconds: number;
  /** Where summary.json, report.html, chart.svg, samples.ndjson and the target's logs go. @default ./soak-output/<timestamp> */
  readonly outDir: string;
  /** The verdict's bound on the RSS slope after the warm-up, in MB per hour. @default 10 */
  readonly maxSlopeMbPerHour: number;
  /** Start the gateway with short cleanup delays and intervals, so a short run covers many cleanup cycles. @default false */
  readonly accelerate: boolean;
  readonly target: TargetSpec;
  /** Bearer token for GET /stats. @default generated for a target the runner starts; none when attaching */
  readonly adminToken: string | undefined;
  /** Api key the clients authenticate with. @default generated for a target the runner starts; the gateway's demo key when attaching */
  readonly apiKey: string | undefined;
  /** Client replacements per second; each client lives clients / churn seconds on average. @default clients / 20 */
  readonly churnPerSecond: number;
  /** Share of clients that stop reading, so the slow-consumer path runs. @default 0.05 */
  readonly slowShare: number;
  /** Share of clients that send bad input first. @default 0.1 */
  readonly badShare: number;
  /** SIM symbols when the runner starts the gateway. @default 500 */
  readonly symbols: number;
  /** Seconds between batch scans (POST /api/scans); 0 disables them. @default 10 */
  readonly scanEverySeconds: number;
  /** Seconds between manual reports (POST /api/reports); 0 disables them. @default 60 */
  readonly reportEverySeconds: number;
  /** Seeds every random choice of the load, so two runs drive the same load. @default 1 */
  readonly seed: number;
}

/** The longest run: samples are kept in memory, one a second, and must stay bounded. */
export const MAX_DURATION_SECONDS = 24 * 3600;
/** The shortest run that can leave samples after a warm-up. */
export const MIN_DURATION_SECONDS = 5;
