import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { waitFor } from '@steadystate/lifecycle/testing';
import { openStream, readEventStream } from '../support/event-stream.js';
import {
  api,
  errorCode,
  logFile,
  LONG_SCAN,
  readLogToEnd,
  startScan,
  waitUntilScanning,
  withScans,
} from '../support/scan-api.js';
import { TEST_API_KEYS, TEST_AUTH } from '../support/test-gateway.js';

/**
 * A scan whose log passes 128 KiB, so it takes several 64 KiB reads: every unknown symbol gets a
 * line, and the first line repeats the request with all 2,000 symbols.
 */
const WORDY = {
  env: { SCAN_MAX_SYMBOLS: '2500' },
  body: {
    symbols: ['BTC/USDT', ...Array.from({ length: 2000 }, (_, i) => `NOSUCH${i}/USDT`)],
    timeframe: '1h',
    candles: 22,
  },
} as const;

interface LogEvent {
  offset: number;
  next_offset: number;
  content: string;
}

describe('GET /api/tasks/:id/log?offset=N', () => {
  it('returns the log chunk by chunk, whole lines each, until done; the chunks make the file exactly', () =>
    withScans(WORDY.env, async (gateway, config) => {
      const id = await startScan(gateway, WORDY.body);
      // Read from the start while the scan is still writing.
      const chunks = await readLogToEnd(gateway, id);
      const file = readFileSync(logFile(config, id), 'utf8');
      assert.equal(chunks.map((c) => c.content).join(''), file);
      // Every line is there: started, scanning, one per unknown symbol, ranked, completed.
      assert.equal(file.split('\n').length - 1, 2004);
      assert.ok(file.endsWith(' scan completed\n'));
      assert.ok(chunks.filter((c) => c.content.length > 0).length >= 3, 'the log took several reads');

      let offset = 0;
      for (const chunk of chunks) {
        assert.equal(chunk.offset, offset);
        assert.equal(chunk.next_offset, offset + Buffer.byteLength(chunk.content));
        assert.ok(chunk.content === '' || chunk.content.endsWith('\n'), 'a chunk ends on a whole line');
        offset = chunk.next_offset;
      }
      const last = chunks.at(-1);
      assert.deepEqual(last && [last.done, last.next_offset, last.size], [
        true,
        Buffer.byteLength(file),
        offset,
      ]);

      // A read from the end, or beyond it, is empty and done.
      for (const from of [offset, offset + 1000]) {
        const reply = await api(gateway, 'GET', `/api/tasks/${id}/log?offset=${from}`);
        const body = reply.body as { content: string; next_offset: number; done: boolean };
        assert.deepEqual([body.content, body.next_offset, body.done], ['', offset, true]);
      }
    }));
});

describe('GET /api/tasks/:id/log/stream', () => {
  it('streams log events while the scan runs, then one end event; the events make the file exactly', () =>
    withScans(WORDY.env, async (gateway, config) => {
      const id = await startScan(gateway, WORDY.body);
      const response = await fetch(`${gateway.url}/api/tasks/${id}/log/stream`, { headers: TEST_AUTH });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
      const events = await readEventStream(response);

      assert.deepEqual(events.at(-1), { event: 'end', data: { status: 'completed' } });
      const logs = events.slice(0, -1);
      assert.ok(logs.length >= 3 && logs.every((e) => e.event === 'log'), 'log events, then the end');
      let offset = 0;
      for (const { data } of logs) {
        const event = data as LogEvent;
        assert.equal(event.offset, offset);
        assert.equal(event.next_offset, offset + Buffer.byteLength(event.content));
        offset = event.next_offset;
      }
      const file = readFileSync(logFile(config, id), 'utf8');
      assert.equal(logs.map((e) => (e.data as LogEvent).content).join(''), file);
    }));

  it('starts from the offset asked for and ends at once for a finished task', () =>
    withScans(WORDY.env, async (gateway, config) => {
      const id = await startScan(gateway, WORDY.body);
      await readLogToEnd(gateway, id);
      const file = readFileSync(logFile(config, id));
      const from = file.indexOf('\n') + 1;
      const events = await readEventStream(
        await fetch(`${gateway.url}/api/tasks/${id}/log/stream?offset=${from}`, { headers: TEST_AUTH }),
      );
      assert.deepEqual(events.at(-1), { event: 'end', data: { status: 'completed' } });
      const content = events.slice(0, -1).map((e) => (e.data as LogEvent).content);
      assert.equal(content.join(''), file.subarray(from).toString('utf8'));
    }));

  it("ends a cancelled scan's stream after its last line, 'scan cancelled'", () =>
    withScans(LONG_SCAN.env, async (gateway) => {
      const id = await startScan(gateway, LONG_SCAN.body);
      const response = await fetch(`${gateway.url}/api/tasks/${id}/log/stream`, { headers: TEST_AUTH });
      await waitUntilScanning(gateway, id);
      await api(gateway, 'DELETE', `/api/tasks/${id}`);
      const events = await readEventStream(response);
      assert.deepEqual(events.at(-1), { event: 'end', data: { status: 'cancelled' } });
      const content = events.slice(0, -1).map((e) => (e.data as LogEvent).content);
      assert.match(content.join(''), / scan cancelled\n$/);
    }));

  it('refuses a stream beyond 100 open ones with 503 TOO_MANY_STREAMS, and takes one again once one closes', () =>
    withScans(LONG_SCAN.env, async (gateway) => {
      const id = await startScan(gateway, LONG_SCAN.body);
      const url = `${gateway.url}/api/tasks/${id}/log/stream?api_key=${TEST_API_KEYS[0]}`;
      const streams = await Promise.all(Array.from({ length: 100 }, () => openStream(url)));
      try {
        assert.deepEqual(new Set(streams.map((s) => s.status)), new Set([200]));
        const refused = await api(gateway, 'GET', `/api/tasks/${id}/log/stream`);
        assert.deepEqual([refused.status, errorCode(refused)], [503, 'TOO_MANY_STREAMS']);
        assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);

        streams[0]?.cut();
        await waitFor(async () => {
          const stream = await openStream(url);
          streams.push(stream);
          return stream.status === 200;
        }, 'the server to notice a reader left');
      } finally {
        for (const stream of streams) stream.cut();
        await api(gateway, 'DELETE', `/api/tasks/${id}`);
      }
    }));
});
