import {
  LifecycleError,
  LifecycleErrorCode,
  TASK_STATUSES,
  type MemoryMonitor,
} from '@steadystate/lifecycle';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ScanService } from '../scans/scan-service.js';
import { scanRequestSchema } from '../scans/scan-request.js';
import type { ExchangeCatalog } from '../upstream/exchange-catalog.js';
import { parseOrReply, sendHttpError } from './http-errors.js';
import type { LogStreams } from './log-stream.js';
import { findTask, isFinished, presentTask, taskIdParams } from './task-presenter.js';

export interface ScanRoutesOptions {
  scans: ScanService;
  streams: LogStreams;
  catalog: ExchangeCatalog;
  monitor: MemoryMonitor;
  maxSymbols: number;
}

const listQuery = z.object({
  limit: z.coerce.number().int('a whole number').min(1, 'at least 1').max(100, 'at most 100').default(20),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'a next_cursor from an earlier page')
    .optional(),
  status: z
    .enum(TASK_STATUSES as [string, ...string[]], { error: `one of ${TASK_STATUSES.join(', ')}` })
    .optional(),
});

const logQuery = z.object({
  offset: z.coerce
    .number()
    .int('a whole number')
    .min(0, 'at least 0')
    .max(Number.MAX_SAFE_INTEGER)
    .default(0),
});

/** Seconds a client should wait before retrying a refused scan. */
const RETRY_AFTER_SECONDS = 30;

/** The scan and task routes (SPEC 2.2): start, poll, cancel, clear, list, and read logs from an offset. */
export function registerScanRoutes(app: FastifyInstance, o: ScanRoutesOptions): void {
  const schema = scanRequestSchema(o.maxSymbols);

  app.post('/api/scans', async (request, reply) => {
    if (o.monitor.shedding) {
      void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return sendHttpError(
        reply,
        503,
        'SERVER_OVERLOADED',
        'memory is critical; new scans are refused for now',
      );
    }
    const body = parseOrReply(schema, request.body ?? {}, reply);
    if (!body) return reply;
    if (!o.catalog.get(body.exchange)) {
      return sendHttpError(reply, 400, 'VALIDATION_FAILED', 'the request is invalid', [
        { path: 'exchange', message: `unknown exchange ${body.exchange}` },
      ]);
    }
    try {
      const id = o.scans.start(body);
      return reply.code(202).send({
        id,
        status: 'pending',
        status_url: `/api/tasks/${id}`,
        log_url: `/api/tasks/${id}/log`,
        stream_url: `/api/tasks/${id}/log/stream`,
      });
    } catch (error) {
      if (error instanceof LifecycleError && error.code === LifecycleErrorCode.QUEUE_FULL) {
        void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return sendHttpError(reply, 429, 'QUEUE_FULL', 'too many scans are waiting; try again later');
      }
      throw error;
    }
  });

  app.get('/api/tasks', (request, reply) => {
    const q = parseOrReply(listQuery, request.query, reply);
    if (!q) return reply;
    const page = o.scans.tasks.list({
      limit: q.limit,
      ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      ...(q.status === undefined ? {} : { status: q.status as (typeof TASK_STATUSES)[number] }),
    });
    return { tasks: page.tasks.map(presentTask), next_cursor: page.nextCursor };
  });

  app.post('/api/tasks/clear-results', () => ({ cleared: o.scans.tasks.clearAllResults() }));

  app.get('/api/tasks/:id', (request, reply) => {
    const params = parseOrReply(taskIdParams, request.params, reply);
    if (!params) return reply;
    const task = findTask(o.scans, params.id, reply);
    return task ? presentTask(task) : reply;
  });

  app.delete('/api/tasks/:id', async (request, reply) => {
    const params = parseOrReply(taskIdParams, request.params, reply);
    if (!params) return reply;
    if (!findTask(o.scans, params.id, reply)) return reply;
    const action = await o.scans.cancelOrRemove(params.id);
    return { id: params.id, action };
  });

  app.get('/api/tasks/:id/log', async (request, reply) => {
    const params = parseOrReply(taskIdParams, request.params, reply);
    const q = params && parseOrReply(logQuery, request.query, reply);
    if (!params || !q) return reply;
    const task = findTask(o.scans, params.id, reply);
    if (!task) return reply;
    // Read before the log: whatever was appended before it ended is then in this chunk or the next.
    const ended = isFinished(task) && o.scans.logComplete(params.id);
    const chunk = await o.scans.readLog(params.id, q.offset);
    return {
      id: params.id,
      offset: q.offset,
      next_offset: chunk?.nextOffset ?? q.offset,
      size: chunk?.size ?? 0,
      content: chunk?.content ?? '',
      done: ended && (chunk === null || chunk.nextOffset >= chunk.size),
    };
  });

  app.get('/api/tasks/:id/log/stream', (request, reply) => {
    const params = parseOrReply(taskIdParams, request.params, reply);
    const q = params && parseOrReply(logQuery, request.query, reply);
    if (!params || !q) return reply;
    if (!findTask(o.scans, params.id, reply)) return reply;
    if (o.streams.full) {
      void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return sendHttpError(
        reply,
        503,
        'TOO_MANY_STREAMS',
        `at most ${o.streams.capacity} log streams at once`,
      );
    }
    // The stream writes to the raw response itself from here on.
    void reply.hijack();
    o.streams.open(o.scans, params.id, q.offset, reply.raw);
    return reply;
  });

  // Streams hold their connections open; end them before the server waits for connections to close.
  app.addHook('preClose', (done) => {
    o.streams.closeAll();
    done();
  });
}
