import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('has loopback defaults', () => {
    assert.deepEqual(loadConfig({}), {
      host: '127.0.0.1',
      port: 8765,
      logLevel: 'info',
      shutdownTimeoutMs: 5000,
    });
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig({ PORT: '' }).port, 8765);
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^PORT="abc": must be a whole number from 0 to 65535$/],
    [{ PORT: '-1' }, /^PORT="-1": must be a whole number/],
    [{ PORT: '65536' }, /^PORT="65536": must be from 0 to 65535$/],
    [{ PORT: '80.5' }, /^PORT="80.5": must be a whole number/],
    [{ LOG_LEVEL: 'verbose' }, /^LOG_LEVEL="verbose": must be one of/],
    [{ SHUTDOWN_TIMEOUT_MS: '10' }, /^SHUTDOWN_TIMEOUT_MS="10": must be from 100 to 60000$/],
  ];
  for (const [env, message] of bad) {
    it(`rejects ${JSON.stringify(env)}`, () => {
      assert.throws(
        () => loadConfig(env),
        (e: unknown) =>
          e instanceof ConfigError && e.code === 'CONFIG_INVALID' && e.problems.some((p) => message.test(p)),
      );
    });
  }

  it('reports every bad variable at once', () => {
    assert.throws(
      () => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' }),
      (e: unknown) => e instanceof ConfigError && e.problems.length === 2,
    );
  });
});
