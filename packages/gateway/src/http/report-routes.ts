import { LifecycleError, LifecycleErrorCode } from '@steadystate/lifecycle';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReportCursor, ReportRepository } from '../reports/report-repository.js';
import type { ReportService } from '../reports/report-service.js';
import { html, trustedHtml } from '../html/html.js';
import { emptyBodyAsObject } from './empty-body.js';
import { mayAccess, type Caller, type CallerAuth } from './caller.js';
import { HttpError } from './http-errors.js';

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
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

/** `POST /api/reports`, `GET /api/reports`, `GET /api/reports/:id` and the report page `GET /reports/:id`. */
export function registerReportRoutes(
  app: FastifyInstance,
  auth: CallerAuth,
  reports: ReportService,
  repository: ReportRepository,
): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  /** Keys with a report being generated: one at a time each. */
  const generating = new Set<string>();

  routes.post(
    '/api/reports',
    { schema: { body: manualBody }, preValidation: emptyBodyAsObject },
    async (request, reply) => {
      const caller = auth.callerOf(request);
      if (generating.has(caller.userId)) throw new HttpError.TOO_MANY_JOBS(1, 'report');
      generating.add(caller.userId);
      try {
        const outcome = await reports.generate('manual', caller.admin ? null : caller.userId);
        return await reply
          .code(outcome.status === 'saved' ? 201 : 202)
          .send({ ...outcome, url: `/reports/${outcome.id}` });
      } catch (error) {
        if (error instanceof LifecycleError && error.code === LifecycleErrorCode.QUEUE_FULL) {
          throw new HttpError.REPORTS_BUSY();
        }
        throw error;
      } finally {
        generating.delete(caller.userId);
      }
    },
  );

  routes.get('/api/reports', { schema: { querystring: listQuery } }, async (request) => {
    const caller = auth.callerOf(request);
    const { limit, before } = request.query;
    const list = await fromDatabase(reports, () =>
      repository.list(limit, before, caller.admin ? undefined : caller.userId),
    );
    const last = list[list.length - 1];
    const more = list.length === limit && last !== undefined;
    return { reports: list, next_before: more ? `${last.created_at}_${last.id}` : null };
  });

  routes.get('/api/reports/:id', { schema: { params: reportId } }, async (request) => {
    const { id, created_at, kind, owner, title, summary, size_bytes } = await findReport(
      reports,
      repository,
      request.params.id,
      auth.callerOf(request),
    );
    return { id, created_at, kind, owner, title, summary, size_bytes, url: `/reports/${id}` };
  });

  routes.get(
    '/reports/:id',
    { schema: { params: reportId, querystring: pageQuery } },
    async (request, reply) => {
      const report = await findReport(reports, repository, request.params.id, auth.callerOf(request));
      const { lang } = request.query;
      const english = lang === 'en';
      // The stored content was built by the report builder, escaped there; only the title is text.
      const page = html`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${report.title}</title><style>${trustedHtml(report.css_content)}</style></head><body>
${trustedHtml(english ? report.html_content_en : report.html_content)}
<script>${trustedHtml(english ? report.js_content_en : report.js_content)}</script>
</body></html>`;
      return reply
        .header('content-security-policy', PAGE_CSP)
        .type('text/html; charset=utf-8')
        .send(page.toString());
    },
  );
}

/** Report `id` with its content; 404 REPORT_NOT_FOUND when there is none, or it is another key's. */
async function findReport(reports: ReportService, repository: ReportRepository, id: string, caller: Caller) {
  const report = await fromDatabase(reports, () => repository.get(id));
  if (!report || !mayAccess(caller, report.owner)) throw new HttpError.REPORT_NOT_FOUND(id);
  return report;
}

/** Runs a database read; 503 DATABASE_UNAVAILABLE when the database cannot be reached. */
async function fromDatabase<T>(reports: ReportService, read: () => Promise<T>): Promise<T> {
  try {
    await reports.ready();
    return await read();
  } catch (error) {
    throw new HttpError.DATABASE_UNAVAILABLE({ cause: error });
  }
}
