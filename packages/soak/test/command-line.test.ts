import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../src/command-line.js';
import { SoakError, SoakErrorCode, UsageError } from '../src/errors.js';
import { ExitCode } from '../src/exit-codes.js';
import { CLI } from './support/cli.js';

function options(...args: string[]) {
  const parsed = parseCommandLine(args, new Date('2026-01-02T03:04:05.678Z'));
  assert.equal(parsed.kind, 'run');
  return parsed.options;
}

/** The UsageError `args` produce; fails the test when they parse. */
function usageError(...args: string[]): UsageError {
  try {
    parseCommandLine(args);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.code, SoakErrorCode.USAGE);
    return error;
  }
  assert.fail(`${args.join(' ')} parsed`);
}

describe('command line', () => {
  it('fills in the defaults, the output folder named after the start time', () => {
    const o = options();
    assert.equal(o.profile, 'gateway');
    assert.equal(o.clients, 50);
    assert.equal(o.durationSeconds, 600);
    assert.equal(o.warmupSeconds, 120, '20% of 10 minutes');
    assert.equal(o.maxSlopeMbPerHour, 10);
    assert.equal(o.churnPerSecond, 2.5, 'clients / 20');
    assert.deepEqual(o.target, { kind: 'gateway' });
    assert.equal(o.accelerate, false);
    assert.equal(o.outDir, resolve('soak-output/2026-01-02T03-04-05-678Z'));
  });

  it('reads durations in s, m, h and combinations', () => {
    assert.equal(options('--duration', '30s').durationSeconds, 30);
    assert.equal(options('--duration', '10m').durationSeconds, 600);
    assert.equal(options('--duration', '1h30m').durationSeconds, 5400);
    assert.equal(options('--duration', '1.5h').durationSeconds, 5400);
    assert.equal(options('--duration', '45').durationSeconds, 45);
  });

  it('warms up for 20% of the run, at least 10 s, at most half of it', () => {
    assert.equal(options('--duration', '30s').warmupSeconds, 10);
    assert.equal(options('--duration', '12s').warmupSeconds, 6);
    assert.equal(options('--duration', '1h').warmupSeconds, 720);
    assert.equal(options('--duration', '1h', '--warmup', '5m').warmupSeconds, 300);
  });

  it('takes every load option', () => {
    const o = options(
      ...['--clients', '200', '--churn', '4', '--slow-share', '0.2', '--bad-share', '0.3'],
      ...['--symbols', '50', '--scan-every', '0', '--report-every', '5', '--seed', '42', '--accelerate'],
      ...['--out', 'here', '--max-slope', '2.5', '--api-key', 'a-key-of-mine'],
    );
    assert.equal(o.clients, 200);
    assert.equal(o.churnPerSecond, 4);
    assert.equal(o.slowShare, 0.2);
    assert.equal(o.badShare, 0.3);
    assert.equal(o.symbols, 50);
    assert.equal(o.scanEverySeconds, 0);
    assert.equal(o.reportEverySeconds, 5);
    assert.equal(o.seed, 42);
    assert.equal(o.accelerate, true);
    assert.equal(o.outDir, resolve('here'));
    assert.equal(o.maxSlopeMbPerHour, 2.5);
    assert.equal(o.apiKey, 'a-key-of-mine');
  });

  it('names the option at fault for every bad value', () => {
    const cases: [string[], string][] = [
      [['--clients', '0'], '--clients'],
      [['--clients', 'many'], '--clients'],
      [['--clients', '10001'], '--clients'],
      [['--duration', '2s'], '--duration'],
      [['--duration', '25h'], '--duration'],
      [['--duration', '10 minutes'], '--duration'],
      [['--duration', '-5m'], '--duration'],
      [['--duration', '30s', '--warmup', '30s'], '--warmup'],
      [['--max-slope', '-1'], '--max-slope'],
      [['--max-slope', 'flat'], '--max-slope'],
      [['--slow-share', '1.5'], '--slow-share'],
      [['--slow-share', '0.6', '--bad-share', '0.6'], '--bad-share'],
      [['--churn', '0'], '--churn'],
      [['--symbols', '2'], '--symbols'],
      [['--scan-every', '0.5'], '--scan-every'],
      [['--seed', '1.5'], '--seed'],
      [['--admin-token', 'short'], '--admin-token'],
      [['--api-key', 'has space'], '--api-key'],
      [['--target', ' '], '--target'],
      [['--attach-pid', 'abc', '--url', 'http://127.0.0.1:1'], '--attach-pid'],
    ];
    for (const [args, option] of cases) {
      assert.equal(usageError(...args).option, option, args.join(' '));
    }
  });

  it('refuses an unknown option, an unknown profile and a missing value', () => {
    usageError('--clientz', '5');
    usageError('--profile', 'database');
    usageError('--clients');
  });

  it('refuses a URL that is not loopback: the runner loads this machine only', () => {
    for (const url of [
      'http://10.0.0.5:8765',
      'ws://example.com',
      'http://192.168.1.2',
      'http://[2001:db8::1]:80',
    ]) {
      const error = usageError('--attach-pid', '1', '--url', url);
      assert.equal(error.option, '--url');
      assert.ok(error.cause instanceof SoakError);
      assert.equal(error.cause.code, SoakErrorCode.NOT_LOOPBACK, url);
    }
    for (const url of ['http://127.0.0.1:8765', 'ws://localhost:1', 'http://[::1]:9', 'http://127.3.2.1']) {
      assert.deepEqual(options('--attach-pid', '1', '--url', url).target, { kind: 'attach', pid: 1, url });
    }
    assert.equal(usageError('--target', 'x', '--url', 'ftp://127.0.0.1').option, '--url');
  });

  it('checks the target flags go together', () => {
    assert.equal(usageError('--attach-pid', '1').option, '--url');
    assert.equal(usageError('--url', 'http://127.0.0.1:1').option, '--url');
    assert.equal(usageError('--target', 'node x.js', '--attach-pid', '1').option, '--attach-pid');
    assert.equal(
      usageError('--attach-pid', '1', '--url', 'http://127.0.0.1:1', '--accelerate').option,
      '--accelerate',
    );
    assert.deepEqual(options('--target', 'node server.js').target, {
      kind: 'command',
      command: 'node server.js',
      url: undefined,
    });
  });

  it('returns the help text instead of running', () => {
    const parsed = parseCommandLine(['--help']);
    assert.equal(parsed.kind, 'print');
    assert.ok(parsed.kind === 'print' && parsed.text.includes('--max-slope'));
  });

  it('exits with 2 on a bad command line, starting nothing', () => {
    const result = spawnSync(process.execPath, [CLI, '--clients', '0'], { encoding: 'utf8' });
    assert.equal(result.status, ExitCode.USAGE);
    assert.notEqual(result.stderr, '');
  });
});
