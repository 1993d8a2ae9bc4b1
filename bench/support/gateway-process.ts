/**
 * The gateway as its own process (`build/src/main.js`), as a user starts it: one process, or a
 * primary with `WORKERS` workers behind one port. For the cluster benchmarks, where the layouts
 * to compare are processes, and a nats-server of the benchmark's own on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_API_KEY } from './bench-gateway.js';
import type { Cleanup } from './cleanup.js';
import { sleep } from './stats.js';

const MAIN = fileURLToPath(new URL('../../../packages/gateway/build/src/main.js', import.meta.url));

/** Starts the gateway with `env` and resolves with its URL once `listeners` processes listen. */
export async function startGatewayProcess(
  cleanup: Cleanup,
  env: Record<string, string>,
  listeners = 1,
): Promise<{ url: string; wsUrl: string; child: ChildProcess }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'steadystate-bench-'));
  cleanup.add(() => rm(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      API_KEYS: BENCH_API_KEY,
      WS_MAX_CONNECTIONS: '10000',
      WS_MAX_CONNECTIONS_PER_ADDRESS: '10000',
      DATA_DIR: dataDir,
      ...env,
    },
    // stderr holds the start-up banner of every worker; shown only if the process fails to start.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  cleanup.add(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let seen = 0;
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const match = /"url":"([^"]+)".*"msg":"gateway listening"/.exec(line);
        if (match?.[1] && ++seen === listeners) resolve(match[1]);
      }
    });
    void exited.then(([code]) =>
      reject(new Error(`gateway exited with ${String(code)} before listening: ${stderr}`)),
    );
  });
  return { url, wsUrl: url.replace(/^http/, 'ws'), child };
}

/** A nats-server with JetStream on a free loopback port, stopped by `cleanup`. */
export async function startBenchNats(cleanup: Cleanup): Promise<string> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  if (!address || typeof address === 'string') throw new Error('no free port');
  const store = await mkdtemp(join(tmpdir(), 'steadystate-bench-nats-'));
  cleanup.add(() => rm(store, { recursive: true, force: true }));
  const bin = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(address.port), '-js', '-sd', store], {
    stdio: 'ignore',
  });
  cleanup.add(async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  });
  for (let attempt = 0; !(await accepts(address.port)); attempt++) {
    if (child.exitCode !== null || attempt > 100) throw new Error(`${bin} did not start (${child.exitCode})`);
    await sleep(50);
  }
  return `nats://127.0.0.1:${address.port}`;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
