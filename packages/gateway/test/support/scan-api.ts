import assert from 'node:assert/strict';
import { waitFor } from '@steadystate/lifecycle/testing';
import { join } from 'node:path';
import type { GatewayConfig } from '../../src/config/config.js';
import type { Gateway, GatewayOptions } from '../../src/gateway.js';
import type { ScanResult } from '../../src/scans/market-scanner.js';
import { startTestGateway, TEST_AUTH } from './test-gateway.js';

/** One answer of the HTTP API: status, headers and the JSON body (undefined when not JSON). */
export interface ApiReply {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A task as GET /api/tasks/:id shows it. */
export interface TaskView {
  id: string;
  label: string | null;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  progress: { done: number; total: number | null; message: string | null } | null;
  result_cleared: boolean;
  result?: ScanResult | null;
  error?: { message: string } | null;
}

/** What GET /api/tasks/:id/log answers. */
export interface LogView {
  id: string;
  offset: number;
  next_offset: number;
  size: number;
  content: string;
  done: boolean;
}

/** A scan that finishes in a few milliseconds: two symbols, the fewest candles the default periods allow. */
export const SMALL_SCAN = { symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '1h', candles: 22 } as const;

/**
 * Runs `body` against a fresh gateway started with `env` (and `options`), and closes the gateway
 * however it ends. Each gateway has a data directory, and so a logs directory, of its own.
 */
export async function withScans(
  env: Record<string, string>,
  body: (gateway: Gateway, config: GatewayConfig) => Promise<void>,
  options: Partial<GatewayOptions> = {},
): Promise<void> {
  const { gateway, config } = await startTestGateway(env, options);
  try {
    await body(gateway, config);
  } finally {
    await gateway.close();
  }
}

/** Where the gateway keeps the session log of task `id`. */
export function logFile(config: GatewayConfig, id: string): string {
  return join(config.logs.directory, `${id}.log`);
}

/**
 * Sends `body` as JSON (or `raw` as it is) to the gateway and parses the JSON answer, as the
 * first test key (`anonymous: true` sends no credentials). `headers` may override the content
 * type and the credentials.
 */
export async function api(
  gateway: Gateway,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { body?: unknown; raw?: string; headers?: Record<string, string>; anonymous?: boolean } = {},
): Promise<ApiReply> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      ...(options.anonymous ? {} : TEST_AUTH),
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('application/json');
  return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : undefined };
}

/** Starts a scan, checks the 202 answer and returns the task id. */
export async function startScan(gateway: Gateway, body: Record<string, unknown>): Promise<string> {
  const reply = await api(gateway, 'POST', '/api/scans', { body });
  assert.equal(reply.status, 202, `POST /api/scans answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  const { id } = reply.body as { id: string };
  return id;
}

/** GET /api/tasks/:id, which must answer 200. */
export async function getTask(gateway: Gateway, id: string): Promise<TaskView> {
  const reply = await api(gateway, 'GET', `/api/tasks/${id}`);
  assert.equal(
    reply.status,
    200,
    `GET /api/tasks/${id} answered ${reply.status}: ${JSON.stringify(reply.body)}`,
  );
  return reply.body as TaskView;
}

/** Polls GET /api/tasks/:id until the task has finished, and returns it. */
export async function waitForFinish(gateway: Gateway, id: string, timeoutMs = 10_000): Promise<TaskView> {
  let task: TaskView | undefined;
  await waitFor(
    async () => {
      task = await getTask(gateway, id);
      return task.status !== 'pending' && task.status !== 'running';
    },
    `task ${id} to finish`,
    timeoutMs,
  );
  assert.ok(task);
  return task;
}

/** Reads a task's log through GET /api/tasks/:id/log from offset 0 until it answers `done`; returns each chunk. */
export async function readLogToEnd(gateway: Gateway, id: string, timeoutMs = 10_000): Promise<LogView[]> {
  const chunks: LogView[] = [];
  let offset = 0;
  await waitFor(
    async () => {
      const reply = await api(gateway, 'GET', `/api/tasks/${id}/log?offset=${offset}`);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const chunk = reply.body as LogView;
      chunks.push(chunk);
      offset = chunk.next_offset;
      return chunk.done;
    },
    `the log of task ${id} to end`,
    timeoutMs,
  );
  return chunks;
}

/** The `error.code` of an error answer, checking the body has the shape every error has. */
export function errorCode(reply: ApiReply): string {
  const error = (reply.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  assert.ok(error, `not an error body: ${JSON.stringify(reply.body)}`);
  assert.equal(typeof error.code, 'string');
  assert.equal(typeof error.message, 'string');
  return error.code as string;
}

/**
 * A scan that runs for many seconds on the simulated exchange (3,000 symbols of 1,000 candles,
 * some 8 ms of work each), for tests that need one running: they cancel it.
 */
export const LONG_SCAN = {
  env: { SIM_SYMBOLS: '3000', SCAN_MAX_SYMBOLS: '3000' },
  body: { top: 3000, timeframe: '1h', candles: 1000 },
} as const;

/** Waits until the scan is running and has fetched at least one symbol's candles. */
export async function waitUntilScanning(gateway: Gateway, id: string): Promise<void> {
  await waitFor(() => {
    const found = gateway.parts.scans.lookup(id);
    return found.state === 'found' && found.task.status === 'running' && (found.task.progress?.done ?? 0) > 0;
  }, `task ${id} to be scanning`);
}
