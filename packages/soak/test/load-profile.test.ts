import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trackTimers, waitFor } from '@steadystate/lifecycle/testing';
import { ClientPool } from '../src/load/client-pool.js';
import { HttpJobs } from '../src/load/http-jobs.js';
import { LoadCounters } from '../src/load/load-counters.js';
import { Prng } from '../src/load/prng.js';
import { gatewayStats, startBuiltGateway, TEST_API_KEY } from './support/gateway.js';
import { tempDir } from './support/temp-dir.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

describe('gateway load profile', () => {
  it('churns clients of every behaviour, and close() leaves no client, socket or timer behind', async () => {
    const dir = await tempDir('pool');
    const gateway = await startBuiltGateway(dir.path);
    const timers = trackTimers();
    try {
      const counters = new LoadCounters();
      // Lifetimes of 1 to 2 s, so a few seconds see many replacements; bad and slow clients among them.
      const pool = new ClientPool({
        wsUrl: gateway.wsUrl,
        apiKey: TEST_API_KEY,
        exchange: 'SIM',
        symbols: SYMBOLS,
        clients: 10,
        churnPerSecond: 10,
        slowShare: 0.2,
        badShare: 0.4,
        rng: new Prng(3),
        counters,
        rampMs: 200,
      });
      pool.start();
      await waitFor(
        () => counters.clientsStarted >= 30 && counters.marketData > 0,
        '30 clients through the pool',
        30_000,
      );
      await pool.close();
      await pool.close();

      assert.equal(pool.size, 0, 'no client is left in the pool');
      assert.ok(counters.authOk > 0 && counters.symbolsSubscribed > 0);
      assert.ok(counters.badFramesSent > 0 && counters.slowClients > 0);
      assert.ok(
        Object.keys(counters.errorsByCode.toJSON()).length > 0,
        'bad input was answered with error codes',
      );
      assert.equal(counters.connectFailures, 0);
      // Timers are reported destroyed a turn or so after they are cleared; no time needs to pass.
      for (let turn = 0; turn < 100 && timers.live > 0; turn++) await new Promise(setImmediate);
      assert.equal(timers.live, 0, 'every timer of the pool and its sockets is cleared');
      timers.stop();
      await waitFor(
        async () => (await gatewayStats(gateway.httpUrl)).clients.count === 0,
        'the gateway to see every client gone',
        10_000,
      );
    } finally {
      timers.stop();
      await gateway.stop();
      await dir.remove();
    }
  });

  it('runs scans and reports over HTTP, and sends nothing once closed', async () => {
    const dir = await tempDir('jobs');
    const gateway = await startBuiltGateway(dir.path);
    try {
      const counters = new LoadCounters();
      const jobs = new HttpJobs({
        httpUrl: gateway.httpUrl,
        apiKey: TEST_API_KEY,
        exchange: 'SIM',
        symbols: SYMBOLS,
        scanEverySeconds: 1,
        reportEverySeconds: 1,
        rng: new Prng(5),
        counters,
      });
      jobs.start();
      const http = () => counters.http.toJSON();
      // 201 when the report is saved at once, 202 when it waits for the database.
      const reports = () => (http()['POST /api/reports 201'] ?? 0) + (http()['POST /api/reports 202'] ?? 0);
      await waitFor(
        () => (http()['POST /api/scans 202'] ?? 0) >= 2 && reports() >= 1,
        'two scans and a report accepted',
        30_000,
      );
      await jobs.close();
      const after = JSON.stringify(http());
      assert.ok((http()['GET /api/tasks/:id 200'] ?? 0) >= 1, 'the previous scan was polled');
      // Two more periods: a timer left running would have sent something by then.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      assert.equal(JSON.stringify(http()), after);
    } finally {
      await gateway.stop();
      await dir.remove();
    }
  });
});
