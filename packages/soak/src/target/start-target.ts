import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SoakError, SoakErrorCode } from '../errors.js';
import { parseLoopbackUrl } from '../loopback.js';
import type { SoakOptions } from '../options.js';
import { readProcStatus } from '../proc-status.js';
import { AttachedTarget } from './attached-target.js';
import { GATEWAY_MAIN, gatewayEnv } from './gateway-env.js';
import { SpawnedTarget } from './spawned-target.js';
import type { Target } from './target.js';

/** The key a gateway accepts when API_KEYS is unset and it listens on loopback. */
const GATEWAY_DEMO_KEY = 'steadystate-demo-key';

/** The credentials a run uses: given on the command line, generated for a target the runner starts. */
export interface Credentials {
  readonly apiKey: string;
  /** Undefined when attaching without --admin-token: /stats is then not read. */
  readonly adminToken: string | undefined;
}

export function credentialsFor(o: SoakOptions): Credentials {
  const attach = o.target.kind === 'attach';
  return {
    apiKey: o.apiKey ?? (attach ? GATEWAY_DEMO_KEY : `soak-${randomBytes(12).toString('hex')}`),
    adminToken: o.adminToken ?? (attach ? undefined : randomBytes(16).toString('hex')),
  };
}

/**
 * Starts the target the options name and resolves once it listens: the built gateway, a
 * command (through /bin/sh, `exec`ed so its pid is the one sampled), or an attached process
 * that must exist already.
 */
export async function startTarget(o: SoakOptions, credentials: Credentials): Promise<Target> {
  const spec = o.target;
  if (spec.kind === 'attach') {
    if ((await readProcStatus(spec.pid)) === null) {
      throw new SoakError(SoakErrorCode.PID_NOT_FOUND, `no running process with pid ${spec.pid}`);
    }
    return new AttachedTarget(spec.pid, parseLoopbackUrl(spec.url));
  }
  const env = gatewayEnv({
    apiKey: credentials.apiKey,
    adminToken: credentials.adminToken ?? '',
    dataDir: join(o.outDir, 'gateway-data'),
    symbols: o.symbols,
    accelerate: o.accelerate,
  });
  if (spec.kind === 'gateway') {
    if (!existsSync(GATEWAY_MAIN)) {
      throw new SoakError(
        SoakErrorCode.TARGET_NOT_BUILT,
        `the gateway is not built (${GATEWAY_MAIN} is missing): run \`npx tsc -b\` at the repository root first`,
      );
    }
    // A clean environment: a REDIS_URL or DATABASE_URL of the caller's shell must not change what is soaked.
    return SpawnedTarget.start({
      kind: 'gateway',
      file: process.execPath,
      args: [GATEWAY_MAIN],
      env: { PATH: process.env.PATH, ...env },
      outDir: o.outDir,
    });
  }
  return SpawnedTarget.start({
    kind: 'command',
    file: '/bin/sh',
    args: ['-c', `exec ${spec.command}`],
    env: { ...process.env, ...env },
    outDir: o.outDir,
    ...(spec.url === undefined ? {} : { url: spec.url }),
  });
}
