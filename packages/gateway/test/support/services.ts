import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { TestContext } from 'node:test';
import pg from 'pg';

/** The machine's shared Redis and PostgreSQL (see DEVELOPERS.md, "Services"). */
export const REDIS = { host: '127.0.0.1', port: 6379 } as const;
export const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const;
export const REDIS_URL = `redis://${REDIS.host}:${REDIS.port}`;

/** How long a probe waits: a service that answers at all answers a PING within this. */
const PROBE_TIMEOUT_MS = 1500;

/**
 * Skips the test when Redis is not reachable, or fails it under CI=true (where a missing service
 * is a broken machine, not a developer's laptop). Returns false when the test must stop.
 */
export async function requireRedis(t: TestContext): Promise<boolean> {
  return requireService(t, `Redis not reachable at ${REDIS.host}:${REDIS.port}`, probeRedis);
}

/** As {@link requireRedis}, for PostgreSQL. */
export async function requirePostgres(t: TestContext): Promise<boolean> {
  return requireService(t, `PostgreSQL not reachable at ${POSTGRES.host}:${POSTGRES.port}`, probePostgres);
}

async function requireService(t: TestContext, what: string, probe: () => Promise<void>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    if (process.env.CI === 'true') throw new Error(message, { cause: error });
    t.skip(message);
    return false;
  }
}

/** A raw PING, so the probe itself never leaves a client behind on the server. */
function probeRedis(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(REDIS.port, REDIS.host);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => fail(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    socket.once('error', fail);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      if (data.toString().startsWith('+PONG')) resolve();
      else reject(new Error(`unexpected answer to PING: ${data.toString().trim()}`));
    });
  });
}

async function probePostgres(): Promise<void> {
  const client = new pg.Client({ ...POSTGRES, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}

/** A PostgreSQL schema of one test's own, and a client whose search_path is that schema. */
export interface PgSchema {
  readonly name: string;
  /** Queries run in the schema (not through any proxy the test puts in front of the gateway). */
  readonly client: pg.Client;
  /** A DATABASE_URL whose connections use the schema; `port` points it elsewhere (a proxy). */
  url(port?: number): string;
  /** Drops the schema and everything in it, and closes the client. */
  drop(): Promise<void>;
}

/**
 * Creates a schema named `t_<random>`. Connections made with `url()` set search_path through the
 * startup `options` parameter, so every table the gateway creates and reads lands in the schema:
 * tests share the server, never each other's tables.
 */
export async function createPgSchema(): Promise<PgSchema> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const url = (port: number = POSTGRES.port) =>
    `postgres://${POSTGRES.user}@${POSTGRES.host}:${port}/${POSTGRES.database}?options=-c%20search_path%3D${name}`;
  const admin = new pg.Client(POSTGRES);
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${name}"`);
  } finally {
    await admin.end();
  }
  const client = new pg.Client({ connectionString: url() });
  client.on('error', () => {});
  await client.connect();
  return {
    name,
    client,
    url,
    drop: async () => {
      try {
        await client.query(`DROP SCHEMA "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
