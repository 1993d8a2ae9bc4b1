import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withGateway } from '../support/gateway-session.js';
import { connectAuthenticated, marketDataOf, subscribe } from '../support/market-session.js';

/** GET /metrics: its status, content type and Prometheus text. */
async function scrape(url: string): Promise<{ status: number; contentType: string; text: string }> {
  const response = await fetch(`${url}/metrics`);
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

/** The names of the metric families a Prometheus text exposition declares. */
function families(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1] ?? ''));
}

/** The value of one sample line, e.g. `steadystate_ws_clients 1`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('serves Prometheus text with the runtime, memory, client, cache and ring-buffer metrics', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      await subscribe(client, ['BTC/USDT']);
      await client.next(marketDataOf('BTC/USDT'));

      const { status, contentType, text } = await scrape(gateway.url);
      assert.equal(status, 200);
      assert.match(contentType, /^text\/plain/);
      const names = families(text);
      const expected = [
        // Node's runtime defaults (prom-client).
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_heap_size_used_bytes',
        'nodejs_eventloop_lag_seconds',
        // The toolkit's memory, GC and cache metrics.
        'steadystate_memory_bytes',
        'steadystate_memory_level',
        'steadystate_gc_pause_seconds',
        'steadystate_cache_hits_total',
        'steadystate_cache_misses_total',
        'steadystate_cache_evictions_total',
        // The gateway's own.
        'steadystate_ws_clients',
        'steadystate_ring_buffer_items',
        'steadystate_ring_buffer_published_total',
        'steadystate_ring_buffer_consumed_total',
        'steadystate_ring_buffer_dropped_total',
      ];
      for (const name of expected) assert.ok(names.has(name), `/metrics lacks ${name}`);
      assert.equal(sample(text, 'steadystate_ws_clients'), 1);
      assert.ok((sample(text, 'steadystate_ring_buffer_published_total') ?? 0) >= 1, 'ticks were counted');
    }));

  it('needs no credentials and reveals no user id', () =>
    withGateway({}, async (gateway) => {
      const client = await connectAuthenticated(gateway);
      const info = await client.request({ action: 'get_broker_info' }, 'broker_info');
      const { status, text } = await scrape(gateway.url);
      assert.equal(status, 200);
      assert.ok(!text.includes(String(info.user_id)), 'a user id appears in /metrics');
    }));
});
