import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/** Fastify's request errors, under stable codes of our own. */
const FRAMEWORK_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

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
    return sendHttpError(reply, status, FRAMEWORK_CODES[error.code ?? ''] ?? 'BAD_REQUEST', error.message);
  });
}

/**
 * Fastify's `frameworkErrors` option. The router answers a malformed URL or a path parameter over
 * `maxParamLength` before any route or error handler runs, in a body of its own
 * (`{"error":"Bad Request",...}`); this answers them in the shape of every other error.
 */
export function answerRouterError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void sendHttpError(
    reply,
    error.statusCode ?? 400,
    FRAMEWORK_CODES[error.code] ?? 'BAD_REQUEST',
    error.message,
  );
}
