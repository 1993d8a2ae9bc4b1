import { GatewayErrorCode } from '../src/errors.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEMO_API_KEY, loadConfig } from '../src/config/config.js';

describe('loadConfig', () => {
  it('has loopback defaults, the SPEC defaults and the demo key', () => {
    const config = loadConfig({});
    assert.deepEqual(
      {
        host: config.host,
        port: config.port,
        logLevel: config.logLevel,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
      },
      { host: '127.0.0.1', port: 8765, logLevel: 'info', shutdownTimeoutMs: 5000 },
    );
    assert.deepEqual(config.adapters, {
      cleanupDelayMs: 60_000,
      maxIdleMs: 1_800_000,
      orphanCleanupIntervalMs: 300_000,
      symbolCacheSize: 50_000,
      marketDataCacheSize: 10_000,
      ringBufferSize: 65_536,
    });
    assert.equal(config.memory.checkIntervalMs, 30_000);
    assert.equal(config.memory.criticalBytes, undefined);
    assert.equal(config.memory.heapGrowthPercent, 20);
    assert.equal(config.ws.authGraceMs, 15_000);
    assert.deepEqual(config.auth.apiKeys, [DEMO_API_KEY]);
    assert.equal(config.auth.demoKey, true);
    assert.equal(config.auth.adminTokenGenerated, true);
    assert.match(config.auth.adminToken ?? '', /^[0-9a-f]{32}$/);
  });

  it('reads durations in seconds, decimals allowed, and memory thresholds in MB', () => {
    const config = loadConfig({
      BROKER_ADAPTER_CLEANUP_DELAY: '0.25',
      WARNING_MEMORY_MB: '100',
      CLEANUP_MEMORY_MB: '150',
      MAX_MEMORY_MB: '200',
      API_KEYS: 'key-one-aaaa, key-two-bbbb',
    });
    assert.equal(config.adapters.cleanupDelayMs, 250);
    assert.equal(config.memory.criticalBytes, 200 * 1024 * 1024);
    assert.deepEqual(config.auth.apiKeys, ['key-one-aaaa', 'key-two-bbbb']);
    assert.equal(config.auth.demoKey, false);
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
    [{ WS_AUTH_GRACE_SECONDS: 'soon' }, /^WS_AUTH_GRACE_SECONDS="soon": must be a number of seconds/],
    [{ RING_BUFFER_SIZE: '0' }, /^RING_BUFFER_SIZE="0": must be from 16/],
    [{ API_KEYS: 'short' }, /^API_KEYS="short": each key: 8 to 256 printable characters/],
    [{ ADMIN_TOKEN: 'tiny' }, /^ADMIN_TOKEN="tiny": must be 16 to 256 printable characters/],
    [{ WARNING_MEMORY_MB: '100' }, /set all three or none/],
    [{ WARNING_MEMORY_MB: '300', CLEANUP_MEMORY_MB: '200', MAX_MEMORY_MB: '400' }, /must rise strictly/],
    [{ HEAP_GROWTH_PERCENT: '301' }, /^HEAP_GROWTH_PERCENT="301": must be from 0 to 300$/],
    [{ HEAP_GROWTH_PERCENT: '12.5' }, /^HEAP_GROWTH_PERCENT="12.5": must be a whole number/],
    [{ HOST: '0.0.0.0' }, /^API_KEYS="": required when HOST \("0\.0\.0\.0"\) is not a loopback address$/],
    [{ CCXT_EXCHANGES: 'Binance!' }, /^CCXT_EXCHANGES="Binance!": each: a ccxt exchange id$/],
    [{ SIM_TICKS_PER_SECOND: '1000' }, /^SIM_TICKS_PER_SECOND="1000": must be a number from 0.1 to 100$/],
    [
      { NATS_URL: 'http://127.0.0.1:4222' },
      /^NATS_URL="http:\/\/127.0.0.1:4222": must be a nats:\/\/ or tls:\/\/ URL/,
    ],
    [{ NODE_ID: 'node 1' }, /^NODE_ID="node 1": must be 1 to 64 letters, digits/],
    [{ CLUSTER_NAME: 'a.b' }, /^CLUSTER_NAME="a.b": must be 1 to 32 letters, digits/],
    [{ WORKERS: '2' }, /^WORKERS="2": more than one worker needs NATS_URL/],
    [
      { WORKERS: '0', NATS_URL: 'nats://127.0.0.1:4222' },
      /^WORKERS="0": must be auto or a whole number from 1 to 256$/,
    ],
    [{ CLUSTER_LEASE_TTL: '0.5' }, /^CLUSTER_LEASE_TTL="0.5": must be a number of seconds from 1 to 60$/],
  ];
  for (const [env, message] of bad) {
    it(`rejects ${JSON.stringify(env)}`, () => {
      assert.throws(
        () => loadConfig(env),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.code === GatewayErrorCode.CONFIG_INVALID &&
          e.problems.some((p) => message.test(p)),
      );
    });
  }

  it('is a single process without NATS_URL, and a cluster node named after the host and pid with it', () => {
    assert.equal(loadConfig({}).cluster, undefined);
    const cluster = loadConfig({ NATS_URL: 'nats://127.0.0.1:4222' }).cluster;
    assert.ok(cluster);
    assert.match(cluster.nodeId, new RegExp(`-${process.pid}$`));
    assert.deepEqual(
      { name: cluster.name, leaseTtlMs: cluster.leaseTtlMs, demandTtlMs: cluster.demandTtlMs },
      { name: 'steadystate', leaseTtlMs: 10_000, demandTtlMs: 15_000 },
    );
  });

  it('reports every bad variable at once', () => {
    assert.throws(
      () => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' }),
      (e: unknown) => e instanceof ConfigError && e.problems.length === 2,
    );
  });
});
