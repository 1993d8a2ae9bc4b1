import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import { adjustableMemory } from '../support/memory-reading.js';
import {
  api,
  errorCode,
  LONG_SCAN,
  SMALL_SCAN,
  startScan,
  waitForFinish,
  waitUntilScanning,
  withScans,
  type ApiReply,
} from '../support/scan-api.js';

const ID = '00000000-0000-4000-8000-000000000000';
const symbols = (n: number) => Array.from({ length: n }, (_, i) => `S${i}/USDT`);

/** [what, request, status, code, the field named (for VALIDATION_FAILED)] */
type Case = [
  string,
  { method: 'GET' | 'POST'; path: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  number,
  string,
  string?,
];
const scan = (body: unknown) => ({ method: 'POST', path: '/api/scans', body }) as const;

const CASES: Case[] = [
  ['neither symbols nor top', scan({ timeframe: '1h' }), 400, 'VALIDATION_FAILED', 'symbols'],
  ['both symbols and top', scan({ symbols: ['BTC/USDT'], top: 3 }), 400, 'VALIDATION_FAILED', 'symbols'],
  ['a JSON null body (a body, and not an object)', scan(null), 400, 'VALIDATION_FAILED', '(body)'],
  ['symbols as a string', scan({ symbols: 'BTC/USDT' }), 400, 'VALIDATION_FAILED', 'symbols'],
  ['top as a string', scan({ top: '5' }), 400, 'VALIDATION_FAILED', 'top'],
  ['candles as a string', scan({ top: 5, candles: 'many' }), 400, 'VALIDATION_FAILED', 'candles'],
  ['testnet as a string', scan({ top: 5, testnet: 'yes' }), 400, 'VALIDATION_FAILED', 'testnet'],
  ['indicators as a string', scan({ top: 5, indicators: 'rsi' }), 400, 'VALIDATION_FAILED', 'indicators'],
  ['a body that is an array', scan([{ top: 5 }]), 400, 'VALIDATION_FAILED', '(body)'],
  ['10,000 symbols', scan({ symbols: symbols(10_000) }), 400, 'VALIDATION_FAILED', 'symbols'],
  ['an empty symbol list', scan({ symbols: [] }), 400, 'VALIDATION_FAILED', 'symbols'],
  ['a symbol that is a path', scan({ symbols: ['../../etc/passwd'] }), 400, 'VALIDATION_FAILED', 'symbols.0'],
  ['a negative top', scan({ top: -1 }), 400, 'VALIDATION_FAILED', 'top'],
  ['a fractional top', scan({ top: 2.5 }), 400, 'VALIDATION_FAILED', 'top'],
  ['top above SCAN_MAX_SYMBOLS', scan({ top: 501 }), 400, 'VALIDATION_FAILED', 'top'],
  ['negative candles', scan({ top: 5, candles: -5 }), 400, 'VALIDATION_FAILED', 'candles'],
  ['a negative rsi_period', scan({ top: 5, rsi_period: -3 }), 400, 'VALIDATION_FAILED', 'rsi_period'],
  [
    'candles too few for ma_slow',
    scan({ top: 5, candles: 30, ma_slow: 50 }),
    400,
    'VALIDATION_FAILED',
    'candles',
  ],
  [
    'ma_fast not below ma_slow',
    scan({ top: 5, ma_fast: 21, ma_slow: 21 }),
    400,
    'VALIDATION_FAILED',
    'ma_fast',
  ],
  ['an unknown indicator', scan({ top: 5, indicators: ['macd'] }), 400, 'VALIDATION_FAILED', 'indicators.0'],
  [
    'an indicator twice',
    scan({ top: 5, indicators: ['rsi', 'rsi', 'change'] }),
    400,
    'VALIDATION_FAILED',
    'indicators',
  ],
  [
    'rank_by without its indicator',
    scan({ top: 5, indicators: ['rsi'] }),
    400,
    'VALIDATION_FAILED',
    'rank_by',
  ],
  ['an unknown rank_by', scan({ top: 5, rank_by: 'volume' }), 400, 'VALIDATION_FAILED', 'rank_by'],
  ['an unknown timeframe', scan({ top: 5, timeframe: '2h' }), 400, 'VALIDATION_FAILED', 'timeframe'],
  [
    'an unknown contract type',
    scan({ top: 5, contract_type: 'option' }),
    400,
    'VALIDATION_FAILED',
    'contract_type',
  ],
  ['an unknown exchange', scan({ top: 5, exchange: 'NOPE' }), 400, 'VALIDATION_FAILED', 'exchange'],
  ['an exchange that is a path', scan({ top: 5, exchange: '../sim' }), 400, 'VALIDATION_FAILED', 'exchange'],
  ['an unknown field', scan({ top: 5, colour: 'red' }), 400, 'VALIDATION_FAILED', '(body)'],
  ['invalid JSON', { method: 'POST', path: '/api/scans', raw: '{"top": 5' }, 400, 'INVALID_JSON'],
  ['an empty JSON body', { method: 'POST', path: '/api/scans', raw: '' }, 400, 'INVALID_JSON'],
  [
    'a body over the 256 KiB limit',
    { method: 'POST', path: '/api/scans', raw: JSON.stringify({ symbols: symbols(30_000) }) },
    413,
    'BODY_TOO_LARGE',
  ],
  [
    'a body that is not JSON',
    {
      method: 'POST',
      path: '/api/scans',
      raw: 'top=5',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  ['a task id with a dot', { method: 'GET', path: '/api/tasks/bad.id' }, 400, 'VALIDATION_FAILED', 'id'],
  ['a task id with a space', { method: 'GET', path: '/api/tasks/a%20b' }, 400, 'VALIDATION_FAILED', 'id'],
  [
    'a task id of 129 characters',
    { method: 'GET', path: `/api/tasks/${'a'.repeat(129)}/log` },
    414,
    'URI_TOO_LONG',
  ],
  ['a broken escape in a task id', { method: 'GET', path: '/api/tasks/%E0%A4%A' }, 400, 'BAD_URL'],
  [
    'a negative offset',
    { method: 'GET', path: `/api/tasks/${ID}/log?offset=-1` },
    400,
    'VALIDATION_FAILED',
    'offset',
  ],
  [
    'an offset that is text',
    { method: 'GET', path: `/api/tasks/${ID}/log?offset=abc` },
    400,
    'VALIDATION_FAILED',
    'offset',
  ],
  [
    'a fractional offset',
    { method: 'GET', path: `/api/tasks/${ID}/log?offset=1.5` },
    400,
    'VALIDATION_FAILED',
    'offset',
  ],
  [
    'a bad stream offset',
    { method: 'GET', path: `/api/tasks/${ID}/log/stream?offset=-5` },
    400,
    'VALIDATION_FAILED',
    'offset',
  ],
  ['a page limit of 0', { method: 'GET', path: '/api/tasks?limit=0' }, 400, 'VALIDATION_FAILED', 'limit'],
  ['a page limit of 101', { method: 'GET', path: '/api/tasks?limit=101' }, 400, 'VALIDATION_FAILED', 'limit'],
  [
    'an unknown status filter',
    { method: 'GET', path: '/api/tasks?status=done' },
    400,
    'VALIDATION_FAILED',
    'status',
  ],
  [
    'a cursor not given by the API',
    { method: 'GET', path: '/api/tasks?cursor=abc' },
    400,
    'VALIDATION_FAILED',
    'cursor',
  ],
];

/** Asserts the answer is the error, in the one shape every error has. */
function assertError(reply: ApiReply, status: number, code: string, field: string | undefined, what: string) {
  assert.equal(reply.status, status, `${what}: ${JSON.stringify(reply.body)}`);
  assert.equal(errorCode(reply), code, what);
  const { error } = reply.body as { error: { fields?: { path: string; message: string }[] } };
  if (field === undefined) return;
  assert.ok(
    error.fields?.some((f) => f.path === field && f.message.length > 0),
    `${what}: no error on "${field}" in ${JSON.stringify(error.fields)}`,
  );
}

describe('bad requests to the scan and task routes', () => {
  it(`answers each of ${CASES.length} bad requests 4xx with its code, and the service goes on`, () =>
    withScans({}, async (gateway) => {
      for (const [what, request, status, code, field] of CASES) {
        const { method, path, ...options } = request;
        assertError(await api(gateway, method, path, options), status, code, field, what);
      }
      assert.equal(gateway.parts.scans.tasks.stats().started, 0, 'no bad request started a scan');
      const task = await waitForFinish(gateway, await startScan(gateway, SMALL_SCAN));
      assert.equal(task.status, 'completed');
    }));

  it('answers 429 QUEUE_FULL with Retry-After when no scan can run or wait', () =>
    withScans({ ...LONG_SCAN.env, MAX_CONCURRENT_SCANS: '1', MAX_QUEUED_SCANS: '0' }, async (gateway) => {
      const running = await startScan(gateway, LONG_SCAN.body);
      await waitUntilScanning(gateway, running);
      const refused = await api(gateway, 'POST', '/api/scans', { body: SMALL_SCAN });
      assertError(refused, 429, 'QUEUE_FULL', undefined, 'a scan beyond the queue');
      assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);

      await api(gateway, 'DELETE', `/api/tasks/${running}`);
      await waitFor(() => gateway.parts.scans.tasks.stats().slotsInUse === 0, 'the cancelled scan to stop');
      assert.equal((await waitForFinish(gateway, await startScan(gateway, SMALL_SCAN))).status, 'completed');
    }));

  it('answers 503 SERVER_OVERLOADED with Retry-After at CRITICAL memory, and scans again once it is down', () => {
    const memory = adjustableMemory(100);
    const thresholds = { WARNING_MEMORY_MB: '400', CLEANUP_MEMORY_MB: '500', MAX_MEMORY_MB: '600' };
    return withScans(
      { ...thresholds, MEMORY_CHECK_INTERVAL: '0.05' },
      async (gateway) => {
        memory.setRssMb(700);
        await waitFor(() => gateway.parts.monitor.shedding, 'the monitor to shed load');
        const refused = await api(gateway, 'POST', '/api/scans', { body: SMALL_SCAN });
        assertError(refused, 503, 'SERVER_OVERLOADED', undefined, 'a scan at CRITICAL');
        assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
        assert.equal(gateway.parts.scans.tasks.stats().started, 0);

        memory.setRssMb(100);
        await waitFor(() => !gateway.parts.monitor.shedding, 'the monitor to stop shedding');
        assert.equal(
          (await waitForFinish(gateway, await startScan(gateway, SMALL_SCAN))).status,
          'completed',
        );
      },
      { readMemory: memory.read },
    );
  });
});
