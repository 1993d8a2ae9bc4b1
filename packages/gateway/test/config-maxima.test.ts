import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { envSchema } from '../src/config/env-schema.js';
import { api } from './support/scan-api.js';
import { startTestGateway } from './support/test-gateway.js';

/** Digits only, so it passes every number's format and fails every maximum. */
const HUGE = '9'.repeat(30);

/**
 * The largest value each numeric variable allows, read from the schema's own message for a value
 * past it ("must be … from <min> to <max>"): a variable added later is covered without editing
 * this test. Variables whose message names no range are not numbers.
 */
function maxima(): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of Object.keys(envSchema.shape)) {
    try {
      loadConfig({ [name]: HUGE });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const range = /from [\d.]+ to ([\d.]+)/.exec(
        error.problems.find((p) => p.startsWith(`${name}=`)) ?? '',
      );
      if (range?.[1] !== undefined) found[name] = range[1];
    }
  }
  return found;
}

describe('configuration bounds', () => {
  it('every numeric variable has a maximum, and every duration fits in a timer', () => {
    const found = maxima();
    for (const name of [
      'PORT',
      'WS_MAX_CONNECTIONS',
      'TASK_CLEANUP_AFTER_HOURS',
      'AUTO_REPORT_INTERVAL_HOURS',
    ]) {
      assert.ok(found[name] !== undefined, `${name} has a maximum`);
    }
    assert.equal(found.AUTO_REPORT_INTERVAL_HOURS, '596', 'hours are capped at what a timer holds');
    assert.throws(
      () => loadConfig({ AUTO_REPORT_INTERVAL_HOURS: '700' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 1 &&
        error.problems[0]?.startsWith('AUTO_REPORT_INTERVAL_HOURS="700": ') === true,
    );
  });

  it('starts and serves with every numeric variable at its maximum', async () => {
    const env = maxima();
    env.PORT = '0'; // the maximum port may be taken; any free one will do
    // More than one worker needs NATS_URL, and workers are forked by the entry point, not here.
    delete env.WORKERS;
    // The three thresholds must rise strictly: the largest three values.
    const top = Number(env.MAX_MEMORY_MB);
    env.WARNING_MEMORY_MB = String(top - 2);
    env.CLEANUP_MEMORY_MB = String(top - 1);
    const { gateway, config } = await startTestGateway(env);
    try {
      assert.equal(config.reports.intervalMs, 596 * 3_600_000);
      const health = await api(gateway, 'GET', '/healthz');
      assert.equal(health.status, 200);
      assert.equal((health.body as { status: string }).status, 'ok');
    } finally {
      await gateway.close();
    }
  });
});
