import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';

/** The body of every HTTP error: a stable code, a message, and field errors where they apply. */
export interface HttpErrorBody {
  error: { code: string; message: string; fields?: { path: string; message: string }[] };
}

export function sendHttpError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  fields?: HttpErrorBody['error']['fields'],
): FastifyReply {
  const body: HttpErrorBody = { error: { code, message, ...(fields ? { fields } : {}) } };
  return reply.code(status).send(body);
}

/** Parses `input` with `schema`, or answers 400 VALIDATION_FAILED with one entry per bad field. */
export function parseOrReply<S extends z.ZodType>(
  schema: S,
  input: unknown,
  reply: FastifyReply,
): z.infer<S> | undefined {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
  sendHttpError(reply, 400, 'VALIDATION_FAILED', 'the request is invalid', fields);
  return undefined;
}

/**
 * Unknown routes and Fastify's own errors (malformed JSON, a body over the limit, a wrong content
 * type) answer in the same shape as every other error; unexpected errors are logged and answer
 * 500 INTERNAL_ERROR without details.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    sendHttpError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
  );
  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return sendHttpError(reply, 500, 'INTERNAL_ERROR', 'internal error');
    }
    return sendHttpError(reply, status, error.code ?? 'BAD_REQUEST', error.message);
  });
}
