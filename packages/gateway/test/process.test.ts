import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { spawnGateway } from './support/spawn-gateway.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

describe('gateway process', () => {
  it('starts, logs where it listens, answers /healthz and exits 0 on SIGTERM', async () => {
    const gateway = await spawnGateway();
    assert.match(gateway.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${gateway.url}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { status: string }).status, 'ok');
    gateway.child.kill('SIGTERM');
    assert.deepEqual(await gateway.exited, { code: 0, signal: null });
    assert.ok(gateway.lines.some((l) => (l as { msg?: string }).msg === 'gateway stopped'));
  });

  it('exits 0 on SIGINT as well', async () => {
    const gateway = await spawnGateway();
    gateway.child.kill('SIGINT');
    assert.deepEqual(await gateway.exited, { code: 0, signal: null });
  });

  it('refuses to start on a bad variable, naming it, its value and what is allowed', () => {
    const result = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: '70000', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /PORT="70000": must be from 0 to 65535/);
    assert.match(result.stderr, /LOG_LEVEL="loud": must be one of/);
  });
});
