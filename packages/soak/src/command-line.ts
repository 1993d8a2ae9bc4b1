import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { parseDuration } from './duration.js';
import { SoakError, UsageError } from './errors.js';
import { parseLoopbackUrl } from './loopback.js';
import {
  MAX_DURATION_SECONDS,
  MIN_DURATION_SECONDS,
  PROFILES,
  type Profile,
  type SoakOptions,
  type TargetSpec,
} from './options.js';

/** What the command line asks for: a run, or only some text to print (--help, --version). */
export type CommandLine =
  { readonly kind: 'run'; readonly options: SoakOptions } | { readonly kind: 'print'; readonly text: string };

/** The package's version, from its package.json (two levels up from build/src/). */
const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

function program(): Command {
  return new Command('steadystate-soak')
    .description(
      'Drive load against a service for a while, sample its memory every second, and judge the RSS trend.',
    )
    .version(VERSION)
    .addOption(new Option('--profile <name>', 'load profile (default: gateway)').choices(PROFILES))
    .option('--clients <n>', 'WebSocket clients kept connected at once, 1 to 10000 (default: 50)')
    .option('--duration <time>', 'how long to run, e.g. 30s, 10m, 1h30m; 5s to 24h (default: 10m)')
    .option('--warmup <time>', 'left out of the slope (default: 20% of the duration, at least 10s)')
    .option('--out <dir>', 'output folder (default: ./soak-output/<timestamp>)')
    .option('--max-slope <MB/h>', 'fail when the RSS slope after the warm-up is above this (default: 10)')
    .option('--accelerate', 'start the gateway with short cleanup delays and intervals')
    .option('--target <command>', 'start this command instead of the built gateway; its pid is sampled')
    .option('--attach-pid <pid>', 'sample and load this running process instead (needs --url; never stopped)')
    .option('--url <url>', 'where the target listens; loopback only')
    .option('--admin-token <token>', 'bearer token for GET /stats (default: generated for a started target)')
    .option('--api-key <key>', 'api key the clients use (default: generated, or the demo key when attaching)')
    .option('--churn <per-second>', 'client replacements per second (default: clients / 20)')
    .option('--slow-share <0..1>', 'share of clients that stop reading (default: 0.05)')
    .option('--bad-share <0..1>', 'share of clients that send bad input first (default: 0.1)')
    .option('--symbols <n>', 'SIM symbols when the runner starts the gateway, 3 to 100000 (default: 500)')
    .option('--scan-every <seconds>', 'seconds between batch scans; 0 disables them (default: 10)')
    .option('--report-every <seconds>', 'seconds between manual reports; 0 disables them (default: 60)')
    .option('--seed <n>', "seed of the load's random choices (default: 1)")
    .showSuggestionAfterError()
    .exitOverride();
}

/** The options as strings, with the defaults filled in for those that have a fixed one. */
interface RawOptions {
  profile: string;
  clients: string;
  duration: string;
  warmup?: string;
  out?: string;
  maxSlope: string;
  accelerate: boolean;
  target?: string;
  attachPid?: string;
  url?: string;
  adminToken?: string;
  apiKey?: string;
  churn?: string;
  slowShare: string;
  badShare: string;
  symbols: string;
  scanEvery: string;
  reportEvery: string;
  seed: string;
}

/** The fixed defaults (the help text says them; those computed from other options are in validate). */
const DEFAULTS = {
  profile: 'gateway',
  clients: '50',
  duration: '10m',
  maxSlope: '10',
  accelerate: false,
  slowShare: '0.05',
  badShare: '0.1',
  symbols: '500',
  scanEvery: '10',
  reportEvery: '60',
  seed: '1',
} satisfies Partial<RawOptions>;

/**
 * Parses and validates the arguments after the program name. Every problem is a UsageError
 * naming the option; `now` names the default output folder.
 */
export function parseCommandLine(args: readonly string[], now = new Date()): CommandLine {
  const command = program();
  // Commander prints help and errors itself by default; here help is returned and errors thrown.
  let help = '';
  command.configureOutput({ writeOut: (text) => (help += text), writeErr: () => {}, outputError: () => {} });
  try {
    command.parse([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return { kind: 'print', text: help.endsWith('\n') ? help : `${help}\n` };
      throw new UsageError(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
  const given = Object.entries(command.opts<Partial<RawOptions>>()).filter(([, v]) => v !== undefined);
  return { kind: 'run', options: validate({ ...DEFAULTS, ...Object.fromEntries(given) }, now) };
}

function validate(raw: RawOptions, now: Date): SoakOptions {
  const clients = integer('--clients', raw.clients, 1, 10_000);
  const durationSeconds = duration('--duration', raw.duration, MIN_DURATION_SECONDS, MAX_DURATION_SECONDS);
  const warmupSeconds =
    raw.warmup === undefined
      ? Math.min(Math.max(10, durationSeconds * 0.2), durationSeconds / 2)
      : duration('--warmup', raw.warmup, 0, MAX_DURATION_SECONDS);
  if (warmupSeconds >= durationSeconds) {
    throw new UsageError(
      `--warmup (${raw.warmup}) must be shorter than --duration (${raw.duration})`,
      '--warmup',
    );
  }
  const slowShare = number('--slow-share', raw.slowShare, 0, 1);
  const badShare = number('--bad-share', raw.badShare, 0, 1);
  if (slowShare + badShare > 1) {
    throw new UsageError('--slow-share and --bad-share must add up to at most 1', '--bad-share');
  }
  const target = targetSpec(raw);
  if (target.kind === 'attach' && raw.accelerate) {
    throw new UsageError(
      '--accelerate needs a target the runner starts; drop it with --attach-pid',
      '--accelerate',
    );
  }
  return {
    profile: raw.profile as Profile,
    clients,
    durationSeconds,
    warmupSeconds,
    outDir: resolve(raw.out ?? `soak-output/${now.toISOString().replace(/[:.]/g, '-')}`),
    maxSlopeMbPerHour: number('--max-slope', raw.maxSlope, 0, 1_000_000),
    accelerate: raw.accelerate,
    target,
    adminToken: raw.adminToken === undefined ? undefined : token('--admin-token', raw.adminToken, 16),
    apiKey: raw.apiKey === undefined ? undefined : token('--api-key', raw.apiKey, 8),
    churnPerSecond: raw.churn === undefined ? clients / 20 : positive('--churn', raw.churn, 1000),
    slowShare,
    badShare,
    symbols: integer('--symbols', raw.symbols, 3, 100_000),
    scanEverySeconds: interval('--scan-every', raw.scanEvery),
    reportEverySeconds: interval('--report-every', raw.reportEvery),
    seed: integer('--seed', raw.seed, 0, 2 ** 31 - 1),
  };
}

function targetSpec(raw: RawOptions): TargetSpec {
  if (raw.target !== undefined && raw.attachPid !== undefined) {
    throw new UsageError('give --target or --attach-pid, not both', '--attach-pid');
  }
  const url = raw.url === undefined ? undefined : loopbackUrl(raw.url);
  if (raw.attachPid !== undefined) {
    const pid = integer('--attach-pid', raw.attachPid, 1, 2 ** 22);
    if (pid === process.pid) throw new UsageError('--attach-pid names the runner itself', '--attach-pid');
    if (url === undefined)
      throw new UsageError('--attach-pid needs --url, where the process listens', '--url');
    return { kind: 'attach', pid, url };
  }
  if (raw.target !== undefined) {
    if (raw.target.trim() === '') throw new UsageError('--target must name a command', '--target');
    return { kind: 'command', command: raw.target, url };
  }
  if (url !== undefined) {
    throw new UsageError(
      '--url goes with --target or --attach-pid; without them the runner starts the gateway',
      '--url',
    );
  }
  return { kind: 'gateway' };
}

function loopbackUrl(text: string): string {
  try {
    parseLoopbackUrl(text);
    return text;
  } catch (error) {
    if (error instanceof SoakError)
      throw new UsageError(`--url: ${error.message}`, '--url', { cause: error });
    throw error;
  }
}

function integer(option: string, text: string, min: number, max: number): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(
      `${option} must be a whole number from ${min} to ${max}; got ${JSON.stringify(text)}`,
      option,
    );
  }
  return value;
}

function number(option: string, text: string, min: number, max: number): number {
  const value = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(
      `${option} must be a number from ${min} to ${max}; got ${JSON.stringify(text)}`,
      option,
    );
  }
  return value;
}

function positive(option: string, text: string, max: number): number {
  const value = number(option, text, 0, max);
  if (value === 0) throw new UsageError(`${option} must be above 0; got ${JSON.stringify(text)}`, option);
  return value;
}

/** Seconds between periodic requests: 0 (off) or 1 to 86,400. */
function interval(option: string, text: string): number {
  const value = number(option, text, 0, 86_400);
  if (value > 0 && value < 1) {
    throw new UsageError(
      `${option} must be 0 (off) or at least 1 second; got ${JSON.stringify(text)}`,
      option,
    );
  }
  return value;
}

function duration(option: string, text: string, min: number, max: number): number {
  const seconds = parseDuration(text);
  if (seconds === undefined || seconds < min || seconds > max) {
    throw new UsageError(
      `${option} must be a duration such as 30s, 10m or 1h30m, from ${min}s to ${max / 3600}h; got ${JSON.stringify(text)}`,
      option,
    );
  }
  return seconds;
}

/** Printable characters without spaces, as the gateway requires of its keys and tokens. */
function token(option: string, text: string, minLength: number): string {
  if (!new RegExp(`^[\\x21-\\x7e]{${minLength},256}$`).test(text)) {
    throw new UsageError(`${option} must be ${minLength} to 256 printable characters without spaces`, option);
  }
  return text;
}
