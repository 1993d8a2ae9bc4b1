import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ccxt, { type Exchange } from 'ccxt';

/**
 * A local stand-in for Binance's public REST API (the test machine has no network): it serves
 * canned JSON for the endpoints ccxt's binance class calls for loadMarkets (spot only),
 * fetchTicker, fetchTickers, fetchOrderBook and fetchOHLCV, and records every request. Real ccxt instances are pointed at
 * it, so ccxt's own request building and parsing run as they would against Binance.
 */
export interface FakeBinance {
  readonly url: string;
  /** Every request path with its query, in order. */
  readonly requests: string[];
  /** While a flag is set, its endpoint answers 503. */
  readonly failing: { markets: boolean; ticker: boolean };
  /** Holds every ticker answer this long, in ms. */
  tickerDelayMs: number;
  /** The most ticker requests for one symbol that were ever in progress at once. */
  readonly maxConcurrentTickers: number;
  /** How many requests went to `path` for `symbol` (a Binance id such as 'BTCUSDT'). */
  count(path: string, symbol?: string): number;
  /** A ccxt binance REST instance talking to this server. */
  rest(): Exchange;
  /** A ccxt pro binance instance whose REST calls go to this server. */
  pro(): Exchange;
  /** Connections open to the server right now. */
  connections(): Promise<number>;
  close(): Promise<void>;
}

export const SPOT_SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

export const TICKER_24HR = {
  priceChange: '100.50000000',
  priceChangePercent: '0.155',
  weightedAvgPrice: '65010.20000000',
  prevClosePrice: '64899.90000000',
  lastPrice: '65000.50000000',
  lastQty: '0.01000000',
  bidPrice: '65000.40000000',
  bidQty: '1.50000000',
  askPrice: '65000.60000000',
  askQty: '2.50000000',
  openPrice: '64900.00000000',
  highPrice: '65500.00000000',
  lowPrice: '64000.00000000',
  volume: '12345.60000000',
  quoteVolume: '802469136.00000000',
  openTime: 1_700_000_000_000 - 86_400_000,
  closeTime: 1_700_000_000_000,
  firstId: 1,
  lastId: 1000,
  count: 1000,
};

/** Each spot symbol's 24 h quote volume in the all-symbols ticker answer (fetchTickers). */
export const QUOTE_VOLUMES: Record<string, number> = {
  'BTC/USDT': 900_000_000,
  'ETH/USDT': 400_000_000,
  'SOL/USDT': 650_000_000,
};

/** What /api/v3/klines answers for any symbol: Binance's row layout, numbers as strings. */
export const KLINES = [
  [
    1_700_000_000_000,
    '100.5',
    '110.25',
    '99.75',
    '108.125',
    '12.5',
    1_700_003_599_999,
    '1350',
    42,
    '6',
    '650',
    '0',
  ],
  [
    1_700_003_600_000,
    '108.125',
    '109',
    '101',
    '102.5',
    '7.25',
    1_700_007_199_999,
    '750',
    17,
    '3',
    '310',
    '0',
  ],
  [1_700_007_200_000, '102.5', '104', '102', '103.75', '3', 1_700_010_799_999, '311', 9, '1', '104', '0'],
];

export const DEPTH = {
  lastUpdateId: 42,
  bids: [
    ['65000.40000000', '1.50000000'],
    ['65000.30000000', '2.00000000'],
    ['65000.20000000', '0.25000000'],
  ],
  asks: [
    ['65000.60000000', '2.50000000'],
    ['65000.70000000', '3.00000000'],
  ],
};

export async function startFakeBinance(): Promise<FakeBinance> {
  const state: ServerState = {
    requests: [],
    failing: { markets: false, ticker: false },
    tickerDelayMs: 0,
    inFlight: new Map(),
    maxConcurrent: 0,
  };
  const server = createServer((request, response) => serve(request, response, state));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pointAtServer = (exchange: Exchange) => {
    (exchange.urls as { api: Record<string, string> }).api['public'] = `${url}/api/v3`;
    return exchange;
  };
  const options = { options: { fetchMarkets: { types: ['spot'] } } };
  const requests = state.requests;
  return {
    url,
    requests,
    failing: state.failing,
    get tickerDelayMs() {
      return state.tickerDelayMs;
    },
    set tickerDelayMs(value) {
      state.tickerDelayMs = value;
    },
    get maxConcurrentTickers() {
      return state.maxConcurrent;
    },
    count: (path, symbol) =>
      requests.filter((r) => r.startsWith(path) && (symbol === undefined || r.includes(`symbol=${symbol}`)))
        .length,
    rest: () => pointAtServer(new ccxt.binance(options)),
    pro: () => pointAtServer(new ccxt.pro.binance(options)),
    connections: () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      ),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

interface ServerState {
  requests: string[];
  failing: { markets: boolean; ticker: boolean };
  tickerDelayMs: number;
  inFlight: Map<string, number>;
  maxConcurrent: number;
}

function serve(request: IncomingMessage, response: ServerResponse, state: ServerState): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  state.requests.push(`${url.pathname}${url.search}`);
  const symbol = url.searchParams.get('symbol') ?? '';
  const { failing } = state;
  let status = 200;
  let body: unknown;
  if (url.pathname === '/api/v3/exchangeInfo') {
    if (failing.markets) status = 503;
    else
      body = {
        timezone: 'UTC',
        serverTime: 1_700_000_000_000,
        rateLimits: [],
        symbols: SPOT_SYMBOLS.map(market),
      };
  } else if (url.pathname === '/api/v3/ticker/24hr') {
    if (failing.ticker) status = 503;
    else if (symbol === '') body = SPOT_SYMBOLS.map(allSymbolsTicker);
    else body = { symbol, ...TICKER_24HR };
    const inFlight = (state.inFlight.get(symbol) ?? 0) + 1;
    state.inFlight.set(symbol, inFlight);
    state.maxConcurrent = Math.max(state.maxConcurrent, inFlight);
    setTimeout(() => {
      state.inFlight.set(symbol, (state.inFlight.get(symbol) ?? 1) - 1);
      reply(response, status, body);
    }, state.tickerDelayMs);
    return;
  } else if (url.pathname === '/api/v3/depth') {
    body = DEPTH;
  } else if (url.pathname === '/api/v3/klines') {
    body = KLINES.slice(-Number(url.searchParams.get('limit') ?? KLINES.length));
  } else {
    status = 404;
    body = { code: -1100, msg: 'not served by the fake' };
  }
  reply(response, status, body);
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(body === undefined ? '' : JSON.stringify(body));
}

function allSymbolsTicker(symbol: string) {
  return { ...TICKER_24HR, symbol: symbol.replace('/', ''), quoteVolume: String(QUOTE_VOLUMES[symbol]) };
}

function market(symbol: string) {
  const [base = '', quote = ''] = symbol.split('/');
  return {
    symbol: `${base}${quote}`,
    status: 'TRADING',
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    permissions: [],
    permissionSets: [['SPOT']],
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000000.00', tickSize: '0.01' },
      { filterType: 'LOT_SIZE', minQty: '0.00001', maxQty: '9000.00', stepSize: '0.00001' },
    ],
  };
}
