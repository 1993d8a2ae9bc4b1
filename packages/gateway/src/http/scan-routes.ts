import {
  LifecycleError,
  LifecycleErrorCode,
  TASK_STATUSES,
  type MemoryMonitor,
} from '@steadystate/lifecycle';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ownerOf, type ScanService } from '../scans/scan-service.js';
import { mayAccess, type CallerAuth } from './caller.js';
import { scanRequestSchema } from '../scans/scan-request.js';
import type { ExchangeCatalog } from '../upstream/exchange-catalog.js';
import { emptyBodyAsObject } from './empty-body.js';
import { HttpError, validationFailed } from './http-errors.js';
import type { EventStreams } from './event-stream.js';
import { streamLog } from './log-stream.js';
import { findTask, isFinished, presentTask, taskIdParams } from './task-presenter.js';

export interface ScanRoutesOptions {
  auth: CallerAuth;
  /** Scans one key may have pending or running at once (MAX_ACTIVE_SCANS_PER_KEY). */
  maxActivePerKey: number;
  scans: ScanService;
  streams: EventStreams;
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
  status: z.enum(TASK_STATUSES, { error: `one of ${TASK_STATUSES.join(', ')}` }).optional(),
});

const logQuery = z.object({
  offset: z.coerce
    .number()
    .int('a whole number')
    .min(0, 'at least 0')
    .max(Number.MAX_SAFE_INTEGER)
    .default(0),
});

/** The scan and task routes (SPEC 2.2): start, poll, cancel, clear, list, and read logs from an offset. */
export function registerScanRoutes(app: FastifyInstance, o: ScanRoutesOptions): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const scanBody = scanRequestSchema(o.maxSymbols);

  routes.post(
    '/api/scans',
    {
      schema: { body: scanBody },
      // No body at all is an empty request: it then fails for lacking "symbols" or "top".
      preValidation: emptyBodyAsObject,
      // Refused before the body is even validated: at CRITICAL memory no new work is taken.
      onRequest: (_request, _reply, done) =>
        done(o.monitor.shedding ? new HttpError.SERVER_OVERLOADED('scans') : undefined),
    },
    async (request, reply) => {
      const caller = o.auth.callerOf(request);
      const body = request.body;
      if (!o.catalog.get(body.exchange)) {
        throw validationFailed([{ path: 'exchange', message: `unknown exchange ${body.exchange}` }]);
      }
      if (!caller.admin && o.scans.activeOf(caller.userId) >= o.maxActivePerKey) {
        throw new HttpError.TOO_MANY_JOBS(o.maxActivePerKey, 'scans');
      }
      let id: string;
      try {
        id = o.scans.start(body, caller.userId);
      } catch (error) {
        if (error instanceof LifecycleError && error.code === LifecycleErrorCode.QUEUE_FULL) {
          throw new HttpError.QUEUE_FULL();
        }
        throw error;
      }
      return reply.code(202).send({
        id,
        status: 'pending',
        status_url: `/api/tasks/${id}`,
        log_url: `/api/tasks/${id}/log`,
        stream_url: `/api/tasks/${id}/log/stream`,
      });
    },
  );

  routes.get('/api/tasks', { schema: { querystring: listQuery } }, (request) => {
    const caller = o.auth.callerOf(request);
    const q = request.query;
    const page = o.scans.tasks.list({
      filter: (task) => mayAccess(caller, ownerOf(task)),
      limit: q.limit,
      ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      ...(q.status === undefined ? {} : { status: q.status }),
    });
    return { tasks: page.tasks.map(presentTask), next_cursor: page.nextCursor };
  });

  routes.post('/api/tasks/clear-results', (request) => {
    const caller = o.auth.callerOf(request);
    return { cleared: o.scans.tasks.clearAllResults((task) => mayAccess(caller, ownerOf(task))) };
  });

  routes.get('/api/tasks/:id', { schema: { params: taskIdParams } }, (request) =>
    presentTask(findTask(o.scans, request.params.id, o.auth.callerOf(request))),
  );

  routes.delete('/api/tasks/:id', { schema: { params: taskIdParams } }, async (request) => {
    const { id } = request.params;
    findTask(o.scans, id, o.auth.callerOf(request));
    const action = await o.scans.cancelOrRemove(id);
    return { id, action };
  });

  routes.get(
    '/api/tasks/:id/log',
    { schema: { params: taskIdParams, querystring: logQuery } },
    async (request) => {
      const { id } = request.params;
      const { offset } = request.query;
      const task = findTask(o.scans, id, o.auth.callerOf(request));
      // Read before the log: whatever was appended before it ended is then in this chunk or the next.
      const ended = isFinished(task) && o.scans.logComplete(id);
      const chunk = await o.scans.readLog(id, offset);
      return {
        id,
        offset,
        next_offset: chunk?.nextOffset ?? offset,
        size: chunk?.size ?? 0,
        content: chunk?.content ?? '',
        done: ended && (chunk === null || chunk.nextOffset >= chunk.size),
      };
    },
  );

  routes.get(
    '/api/tasks/:id/log/stream',
    { schema: { params: taskIdParams, querystring: logQuery } },
    (request, reply) => {
      const { id } = request.params;
      findTask(o.scans, id, o.auth.callerOf(request));
      streamLog(o.streams.openOn(reply, 'log streams'), o.scans, id, request.query.offset);
      return reply;
    },
  );

  // Streams hold their connections open; end them before the server waits for connections to close.
  app.addHook('preClose', (done) => {
    o.streams.endAll();
    done();
  });
}
