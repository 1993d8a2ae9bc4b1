import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAdminToken } from '../auth/api-keys.js';
import type { DashboardStreams } from '../dashboard/dashboard-streams.js';
import { sendHttpError } from './http-errors.js';

/** The page and its scripts, read once at start: no CDN, so the dashboard works offline. */
function loadAssets(): Record<string, { type: string; body: Buffer }> {
  const own = (file: string) =>
    readFileSync(fileURLToPath(new URL(`../../../dashboard/${file}`, import.meta.url)));
  const uplot = (file: string) => readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${file}`));
  return {
    '/': { type: 'text/html; charset=utf-8', body: own('index.html') },
    '/dashboard/app.js': { type: 'text/javascript; charset=utf-8', body: own('app.js') },
    '/dashboard/style.css': { type: 'text/css; charset=utf-8', body: own('style.css') },
    '/dashboard/uPlot.iife.min.js': {
      type: 'text/javascript; charset=utf-8',
      body: uplot('uPlot.iife.min.js'),
    },
    '/dashboard/uPlot.min.css': { type: 'text/css; charset=utf-8', body: uplot('uPlot.min.css') },
  };
}

const PAGE_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'";

/**
 * The live memory dashboard at `/`: the page and its assets are public (they hold no data); the
 * stream of stats at `/api/dashboard/stream` needs the admin token, as `?token=` (EventSource
 * cannot send headers) or `Authorization: Bearer`.
 */
export function registerDashboardRoutes(
  app: FastifyInstance,
  adminToken: string | null,
  streams: DashboardStreams,
): void {
  for (const [path, asset] of Object.entries(loadAssets())) {
    app.get(path, (_request, reply) =>
      reply
        .header('content-security-policy', PAGE_CSP)
        .header('cache-control', 'no-cache')
        .type(asset.type)
        .send(asset.body),
    );
  }

  app.get('/api/dashboard/stream', (request, reply) => {
    if (!isAdminToken(adminToken, tokenOf(request))) {
      return sendHttpError(
        reply,
        401,
        'UNAUTHORIZED',
        'the stats stream needs the admin token (?token= or Authorization: Bearer)',
      );
    }
    if (streams.full) return tooMany(reply, streams.capacity);
    void reply.hijack();
    streams.open(reply.raw);
    return reply;
  });

  app.addHook('preClose', (done) => {
    streams.closeAll();
    done();
  });
}

function tokenOf(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.token === 'string') return query.token;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

function tooMany(reply: FastifyReply, capacity: number) {
  void reply.header('retry-after', '10');
  return sendHttpError(reply, 503, 'TOO_MANY_STREAMS', `at most ${capacity} dashboards at once`);
}
