import { LifecycleError, LifecycleErrorCode } from '@steadystate/lifecycle';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ReportCursor, ReportRepository } from '../reports/report-repository.js';
import type { ReportService } from '../reports/report-service.js';
import { html, trustedHtml } from '../html/html.js';
import { parseOrReply, sendHttpError } from './http-errors.js';

/** `<created_at>_<id>`: the last report of a page, from `next_before`. */
const CURSOR = /^\d{1,15}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const reportId = z.object({ id: z.string().uuid('a report id as returned by POST /api/reports') });
const listQuery = z.object({
  limit: z.coerce.number().int('a whole number').min(1, 'at least 1').max(100, 'at most 100').default(20),
  before: z
    .string()
    .regex(CURSOR, 'the next_before of a previous page')
    .transform((cursor): ReportCursor => {
      const [createdAt, id] = cursor.split('_') as [string, string];
      return { createdAt: Number(createdAt), id };
    })
    .optional(),
});
const pageQuery = z.object({ lang: z.enum(['vi', 'en'], { error: 'vi or en' }).default('vi') });
const manualBody = z.object({}).strict();

/** The page's own styles and script are inline; nothing else may load. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** `POST /api/reports`, `GET /api/reports`, `GET /api/reports/:id` and the report page `GET /reports/:id`. */
export function registerReportRoutes(
  app: FastifyInstance,
  reports: ReportService,
  repository: ReportRepository,
): void {
  app.post('/api/reports', async (request, reply) => {
    // No body at all is an empty request; a JSON `null` is a body, and not an object.
    if (!parseOrReply(manualBody, request.body === undefined ? {} : request.body, reply)) return reply;
    try {
      const outcome = await reports.generate('manual');
      return reply
        .code(outcome.status === 'saved' ? 201 : 202)
        .send({ ...outcome, url: `/reports/${outcome.id}` });
    } catch (error) {
      if (error instanceof LifecycleError && error.code === LifecycleErrorCode.QUEUE_FULL) {
        void reply.header('retry-after', '10');
        return sendHttpError(
          reply,
          429,
          'REPORTS_BUSY',
          'several reports are being generated; try again shortly',
        );
      }
      throw error;
    }
  });

  app.get('/api/reports', async (request, reply) => {
    const q = parseOrReply(listQuery, request.query, reply);
    if (!q) return reply;
    return withDatabase(reply, reports, async () => {
      const list = await repository.list(q.limit, q.before);
      const last = list[list.length - 1];
      const more = list.length === q.limit && last !== undefined;
      return { reports: list, next_before: more ? `${last.created_at}_${last.id}` : null };
    });
  });

  app.get('/api/reports/:id', async (request, reply) => {
    const params = parseOrReply(reportId, request.params, reply);
    if (!params) return reply;
    return withDatabase(reply, reports, async () => {
      const report = await repository.get(params.id);
      if (!report) return sendHttpError(reply, 404, 'REPORT_NOT_FOUND', `no report ${params.id}`);
      const { id, created_at, kind, title, summary, size_bytes } = report;
      return { id, created_at, kind, title, summary, size_bytes, url: `/reports/${id}` };
    });
  });

  app.get('/reports/:id', async (request, reply) => {
    const params = parseOrReply(reportId, request.params, reply);
    const q = params && parseOrReply(pageQuery, request.query, reply);
    if (!params || !q) return reply;
    return withDatabase(reply, reports, async () => {
      const report = await repository.get(params.id);
      if (!report) return sendHttpError(reply, 404, 'REPORT_NOT_FOUND', `no report ${params.id}`);
      const english = q.lang === 'en';
      // The stored content was built by the report builder, escaped there; only the title is text.
      const page = html`<!doctype html>
        <html lang="${q.lang}">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width,initial-scale=1" />
            <title>${report.title}</title>
            <style>
              ${trustedHtml(report.css_content)}
            </style>
          </head>
          <body>
            ${trustedHtml(english ? report.html_content_en : report.html_content)}
            <script>
              ${trustedHtml(english ? report.js_content_en : report.js_content)};
            </script>
          </body>
        </html>`;
      return reply
        .header('content-security-policy', PAGE_CSP)
        .type('text/html; charset=utf-8')
        .send(page.toString());
    });
  });
}

/** Runs a database read, answering 503 DATABASE_UNAVAILABLE when the database cannot be reached. */
async function withDatabase(
  reply: FastifyReply,
  reports: ReportService,
  read: () => Promise<unknown>,
): Promise<unknown> {
  try {
    await reports.ready();
    return await read();
  } catch (error) {
    reply.log.warn({ err: error }, 'report database read failed');
    void reply.header('retry-after', '5');
    return sendHttpError(
      reply,
      503,
      'DATABASE_UNAVAILABLE',
      'the report database cannot be reached right now',
    );
  }
}
