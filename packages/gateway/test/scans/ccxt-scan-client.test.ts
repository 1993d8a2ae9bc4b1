import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger, StructureRegistry } from '@steadystate/lifecycle';
import { waitFor } from '@steadystate/lifecycle/testing';
import type { Exchange } from 'ccxt';
import { CcxtExchangeClient } from '../../src/exchanges/ccxt-exchange-client.js';
import type { ExchangeKey } from '../../src/exchanges/exchange-client.js';
import { ExchangeManager } from '../../src/exchanges/exchange-manager.js';
import { runScan } from '../../src/scans/market-scanner.js';
import { scanRequestSchema } from '../../src/scans/scan-request.js';
import {
  KLINES,
  QUOTE_VOLUMES,
  SPOT_SYMBOLS,
  startFakeBinance,
  type FakeBinance,
} from '../upstream/support/fake-binance.js';

const KEY: ExchangeKey = { exchange: 'BINANCE', testnet: false, contractType: 'spot', access: 'public' };
/** Binance's kline rows as ccxt's OHLCV: [time, open, high, low, close, volume], numbers. */
const OHLCV = KLINES.map((k) => [k[0], k[1], k[2], k[3], k[4], k[5]].map(Number));

/** A ccxt binance instance on the fake, counting the calls of its close(). */
function spiedExchange(fake: FakeBinance): { exchange: Exchange; closes: () => number } {
  const exchange = fake.rest();
  const close = exchange.close.bind(exchange);
  let closes = 0;
  exchange.close = async () => {
    closes++;
    await close();
  };
  return { exchange, closes: () => closes };
}

describe('the ccxt scan client against a local Binance', () => {
  let fake: FakeBinance;
  before(async () => {
    fake = await startFakeBinance();
  });
  after(() => fake.close());

  it('maps klines to candles, lists symbols and picks the top ones by quote volume', async () => {
    const { exchange } = spiedExchange(fake);
    const client = new CcxtExchangeClient(KEY, exchange, silentLogger);
    try {
      assert.deepEqual(await client.fetchCandles('ETH/USDT', '1h', 2), OHLCV.slice(-2));
      assert.ok(fake.requests.includes('/api/v3/klines?interval=1h&limit=2&symbol=ETHUSDT'));
      assert.deepEqual([...(await client.listSymbols())].sort(), [...SPOT_SYMBOLS].sort());
      const byVolume = [...SPOT_SYMBOLS].sort((a, b) => (QUOTE_VOLUMES[b] ?? 0) - (QUOTE_VOLUMES[a] ?? 0));
      assert.deepEqual(await client.topSymbols(2), byVolume.slice(0, 2));
      assert.deepEqual(await client.topSymbols(10), byVolume);
      await assert.rejects(client.fetchCandles('NOPE/USDT', '1h', 2));
      const requests = fake.requests.length;
      await assert.rejects(client.fetchCandles('BTC/USDT', '1h', 2, AbortSignal.abort()));
      assert.equal(fake.requests.length, requests, 'a cancelled scan sends no request');
    } finally {
      await client.close();
    }
  });

  it('close() closes the ccxt instance and its connections', async () => {
    const { exchange, closes } = spiedExchange(fake);
    const client = new CcxtExchangeClient(KEY, exchange, silentLogger);
    await client.fetchCandles('BTC/USDT', '1d', 3);
    assert.ok((await fake.connections()) > 0, 'ccxt keeps its connection alive');
    await client.close();
    assert.equal(closes(), 1);
    await waitFor(async () => (await fake.connections()) === 0, 'the keep-alive connection to close');
  });

  it('serves a scan through the exchange manager, which closes it when the manager closes', async () => {
    const { exchange, closes } = spiedExchange(fake);
    const exchanges = new ExchangeManager({
      createClient: (key) => new CcxtExchangeClient(key, exchange, silentLogger),
      maxIdleMs: 3_600_000,
      sweepIntervalMs: 3_600_000,
      structures: new StructureRegistry(),
      logger: silentLogger,
    });
    try {
      const request = scanRequestSchema(10).parse({
        exchange: 'BINANCE',
        top: 2,
        candles: 22,
        rank_by: 'change',
      });
      const lines: string[] = [];
      const result = await runScan(request, exchanges, {
        signal: new AbortController().signal,
        progress: () => {},
        log: (line) => {
          lines.push(line);
          return Promise.resolve();
        },
        now: Date.now,
      });
      // Every symbol has the fake's three candles: change from the first close to the last.
      const closesSeries = OHLCV.map((c) => c[4] ?? NaN);
      const change = ((closesSeries[2] ?? NaN) / (closesSeries[0] ?? NaN) - 1) * 100;
      assert.deepEqual(
        result.rows.map((r) => [r.rank, r.symbol, r.last_price, r.change_pct, r.rsi]),
        [
          [1, 'BTC/USDT', 103.75, change, null],
          [2, 'SOL/USDT', 103.75, change, null],
        ],
      );
      assert.equal(lines.length, 2);
      assert.equal(exchanges.stats().leases, 0);
    } finally {
      await exchanges.close();
    }
    assert.equal(closes(), 1);
  });
});
