import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir } from './temp-dir.js';

/** Debian's nats-server (`.ci/run` installs it when missing). */
export const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** A nats-server of one test's own: its port, JetStream store and life are the test's. */
export interface TestNatsServer {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGTERM, or SIGKILL with `hard`) and waits for the exit. */
  stop(hard?: boolean): Promise<void>;
  /** Starts it again on the same port with the same store. */
  restart(): Promise<void>;
}

/**
 * Starts nats-server with JetStream on a free loopback port, never the shared one on 4222 (a test
 * that restarts it must not disturb anything else). Skips the test when the binary is missing, and
 * fails it under CI=true. Stopped when the test ends.
 */
export async function startNatsServer(t: TestContext): Promise<TestNatsServer | undefined> {
  if (!existsSync(NATS_SERVER)) {
    const message = `nats-server not found at ${NATS_SERVER}`;
    if (process.env.CI === 'true') throw new Error(message);
    t.skip(message);
    return undefined;
  }
  const port = await freePort();
  const store = await makeTempDir('steadystate-nats-');
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
      stdio: 'ignore',
    });
    await waitForPort(port, child);
  };
  const stop = async (hard = false) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };
  await start();
  t.after(() => stop(true));
  return { url: `nats://127.0.0.1:${port}`, port, stop, restart: start };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nats-server did not listen on ${port}`);
}
