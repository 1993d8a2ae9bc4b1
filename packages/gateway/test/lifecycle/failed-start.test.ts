import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { describe, it } from 'node:test';
import { InvalidOptionError } from '@steadystate/lifecycle';
import { settle, trackTimers, waitFor } from '@steadystate/lifecycle/testing';
import { pino } from 'pino';
import { ConfigError, loadConfig, type GatewayConfig } from '../../src/config/config.js';
import { startGateway } from '../../src/gateway.js';
import { POSTGRES, REDIS_URL, requirePostgres, requireRedis } from '../support/services.js';
import { startTestGateway } from '../support/test-gateway.js';
import { makeTempDir } from '../support/temp-dir.js';

/** What a process holds open: handles by kind, file descriptors, and listeners on the process. */
interface Holdings {
  resources: Record<string, number>;
  fds: number;
  processListeners: Record<string, number>;
}

function holdings(): Holdings {
  const resources: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    // An immediate runs on the next turn and is gone: one pending at a snapshot is no holding.
    if (kind !== 'Immediate') resources[kind] = (resources[kind] ?? 0) + 1;
  }
  const processListeners: Record<string, number> = {};
  for (const event of process.eventNames()) processListeners[String(event)] = process.listenerCount(event);
  return { resources, fds: readdirSync('/proc/self/fd').length, processListeners };
}

/**
 * Starts a gateway that must fail, and checks it left nothing behind: no timer it created (even
 * unref()ed), no handle, no file descriptor and no process listener beyond what was there before.
 */
async function assertFailsCleanly(
  config: GatewayConfig,
  expected: (error: unknown) => boolean,
): Promise<void> {
  await settle();
  const before = holdings();
  const timers = trackTimers();
  try {
    await assert.rejects(startGateway(config, { logger }), expected);
    await settle();
    assert.equal(timers.live, 0, 'timers created by the failed start are still scheduled');
  } finally {
    timers.stop();
  }
  // A connection the server refused closes a moment after its client gave up on it (pg does not
  // wait for the server's FIN): wait for that, then compare. Anything left open fails here.
  await waitFor(
    () => isDeepStrictEqual(holdings(), before),
    'the holdings back to where they were',
    5000,
  ).catch(() => {});
  assert.deepEqual(holdings(), before);
}

async function testConfig(env: Record<string, string>): Promise<GatewayConfig> {
  return loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: await makeTempDir('steadystate-failed-start-'),
    ...env,
  });
}

/** One logger for every start: a logger made per start could bring listeners of its own. */
const logger = pino({ level: 'silent' });

const namesVariable = (variable: string) => (error: unknown) =>
  error instanceof ConfigError && error.problems.some((p) => p.startsWith(`${variable}=`));

describe('a start that fails half-way closes what it built', () => {
  // Process-wide parts made once (prom-client's runtime metrics, lazily loaded modules) are made
  // here, so the checks below see only what one start leaves.
  it('warms up with a start that succeeds', async () => {
    const { gateway } = await startTestGateway();
    await gateway.close();
  });

  it('port already in use', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await assertFailsCleanly(
        await testConfig({ PORT: String(port) }),
        (error) => (error as NodeJS.ErrnoException).code === 'EADDRINUSE',
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('an option the toolkit refuses, deep in the build', async () => {
    const config = await testConfig({});
    // Past what a timer can hold: the configuration refuses it, so it is forced in here.
    config.adapters.orphanCleanupIntervalMs = 2 ** 31;
    await assertFailsCleanly(config, (error) => error instanceof InvalidOptionError);
  });

  it('a SQLite path that is not a database', async () => {
    const file = `${await makeTempDir('steadystate-not-a-db-')}/reports.db`;
    writeFileSync(file, 'this file is not a SQLite database, and never was one. '.repeat(100));
    await assertFailsCleanly(await testConfig({ SQLITE_PATH: file }), namesVariable('SQLITE_PATH'));
  });

  it('a Redis URL whose database the server does not have', async (t) => {
    if (!(await requireRedis(t))) return;
    await assertFailsCleanly(await testConfig({ REDIS_URL: `${REDIS_URL}/999` }), namesVariable('REDIS_URL'));
  });

  it('a PostgreSQL URL whose database does not exist, the password not shown', async (t) => {
    if (!(await requirePostgres(t))) return;
    const url = `postgres://${POSTGRES.user}:secret-password@${POSTGRES.host}:${POSTGRES.port}/steadystate_no_such_database`;
    await assertFailsCleanly(
      await testConfig({ DATABASE_URL: url }),
      (error) =>
        namesVariable('DATABASE_URL')(error) &&
        !(error as Error).message.includes('secret-password') &&
        (error as Error).message.includes('steadystate_no_such_database'),
    );
  });
});
