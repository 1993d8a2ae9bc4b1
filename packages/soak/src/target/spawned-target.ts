import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { SoakError, SoakErrorCode } from '../errors.js';
import { request } from '../http-request.js';
import { parseLoopbackUrl, type TargetUrls } from '../loopback.js';
import { LineScanner, listeningUrl } from './line-scanner.js';
import type { Target, TargetExit } from './target.js';

export interface SpawnOptions {
  kind: 'gateway' | 'command';
  file: string;
  args: readonly string[];
  env: Record<string, string | undefined>;
  /** The child's stdout and stderr go to target.stdout.log and target.stderr.log here. */
  outDir: string;
  /** Where it listens; when absent, read from its "gateway listening" log line. */
  url?: string;
  /** How long it may take to listen. @default 30000 */
  startTimeoutMs?: number;
  /** How long it may take to exit after SIGTERM before it is killed. @default 10000 */
  stopTimeoutMs?: number;
}

/** The end of stderr kept for error messages. */
const STDERR_TAIL = 2048;

/**
 * A process the runner started and therefore stops: SIGTERM, then SIGKILL if it has not exited
 * within the bound. Its output goes to files, never into the runner's memory, except a short
 * tail of stderr for error messages. If the runner's own process exits first, the child is killed.
 */
export class SpawnedTarget implements Target {
  readonly kind: 'gateway' | 'command';
  readonly pid: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly exited: Promise<TargetExit>;
  readonly #child: ChildProcess;
  readonly #logs: WriteStream[];
  readonly #stopTimeoutMs: number;
  readonly #killOnExit: () => void;
  #killed = false;
  #stopping: Promise<TargetExit> | undefined;

  private constructor(
    child: ChildProcess,
    urls: TargetUrls,
    logs: WriteStream[],
    exited: Promise<TargetExit>,
    o: SpawnOptions,
    killOnExit: () => void,
  ) {
    this.kind = o.kind;
    this.pid = child.pid ?? 0;
    this.httpUrl = urls.httpUrl;
    this.wsUrl = urls.wsUrl;
    this.#child = child;
    this.#logs = logs;
    this.exited = exited;
    this.#stopTimeoutMs = o.stopTimeoutMs ?? 10_000;
    this.#killOnExit = killOnExit;
  }

  /** Starts the process and resolves once it listens (on loopback); stops it again on any failure. */
  static async start(o: SpawnOptions): Promise<SpawnedTarget> {
    const stdoutLog = createWriteStream(join(o.outDir, 'target.stdout.log'));
    const stderrLog = createWriteStream(join(o.outDir, 'target.stderr.log'));
    const child = spawn(o.file, [...o.args], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    let tail = '';
    child.stdout?.pipe(stdoutLog);
    child.stderr?.pipe(stderrLog);
    child.stderr?.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-STDERR_TAIL)));
    const exited: Promise<TargetExit> = once(child, 'exit').then(([code, signal]) => {
      process.off('exit', killOnExit);
      return { code: code as number | null, signal: signal as string | null, killed: false };
    });
    const spawnError = once(child, 'error').then(([error]) => error as Error);
    const logs = [stdoutLog, stderrLog];
    const fail = async (error: SoakError): Promise<never> => {
      child.kill('SIGKILL');
      await Promise.race([exited, spawnError]);
      await closeLogs(logs);
      throw error;
    };

    const startTimeoutMs = o.startTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const waiting = new AbortController();
    const outcome = await Promise.race([
      (o.url === undefined ? readListeningUrl(child) : answering(o.url, waiting.signal)).then((url) => ({
        url,
      })),
      exited.then((exit) => ({ exit })),
      spawnError.then((error) => ({ error })),
      new Promise<{ timeout: true }>(
        (resolve) => (timer = setTimeout(() => resolve({ timeout: true }), startTimeoutMs)),
      ),
    ]);
    clearTimeout(timer);
    waiting.abort();
    if ('exit' in outcome || 'error' in outcome) {
      const why =
        'exit' in outcome ? `exited with ${outcome.exit.code ?? outcome.exit.signal}` : outcome.error.message;
      return fail(
        new SoakError(
          SoakErrorCode.TARGET_EXITED,
          `the target ${why} before it listened${tail ? `: ${tail.trim()}` : ''}`,
        ),
      );
    }
    if ('timeout' in outcome) {
      return fail(
        new SoakError(
          SoakErrorCode.TARGET_NO_URL,
          o.url === undefined
            ? `the target printed no "gateway listening" line within ${startTimeoutMs / 1000} s; give --url`
            : `the target did not answer at ${o.url} within ${startTimeoutMs / 1000} s`,
        ),
      );
    }
    let urls: TargetUrls;
    try {
      urls = parseLoopbackUrl(outcome.url);
    } catch (error) {
      return fail(
        error instanceof SoakError ? error : new SoakError(SoakErrorCode.NOT_LOOPBACK, String(error)),
      );
    }
    return new SpawnedTarget(child, urls, logs, exited, o, killOnExit);
  }

  /** SIGTERM, then SIGKILL after the stop timeout; resolves with how it exited. Idempotent. */
  stop(): Promise<TargetExit> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<TargetExit> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.#stopTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      this.#killed = true;
      this.#child.kill('SIGKILL');
    }
    const exit = await this.exited;
    process.off('exit', this.#killOnExit);
    await closeLogs(this.#logs);
    return { ...exit, killed: this.#killed };
  }
}

/** Resolves with the URL of the first "gateway listening" line on the child's stdout. */
function readListeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    const scanner = new LineScanner((line) => {
      const url = listeningUrl(line);
      if (url === undefined) return;
      child.stdout?.off('data', onData);
      resolve(url);
    });
    const onData = (chunk: Buffer) => scanner.push(chunk);
    child.stdout?.on('data', onData);
  });
}

/** Resolves with `url` once an HTTP request to it gets any answer; polls until `signal` aborts. */
async function answering(url: string, signal: AbortSignal): Promise<string> {
  const { httpUrl } = parseLoopbackUrl(url);
  while (!signal.aborted) {
    try {
      await request(`${httpUrl}/`, { timeoutMs: 1000, signal });
      return url;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250).unref());
    }
  }
  return new Promise(() => {});
}

async function closeLogs(logs: readonly WriteStream[]): Promise<void> {
  await Promise.all(logs.map((log) => finished(log).catch(() => {})));
}
