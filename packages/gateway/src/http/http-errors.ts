import createError, { type FastifyErrorConstructor } from '@fastify/error';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/**
 * Every error the HTTP API answers, by its stable code: one registry, as fastify keeps its own
 * (`lib/errors.js`). Routes throw these; the error handler turns any of them into
 * `{"error":{"code","message","fields"?}}` with its status (and a Retry-After where waiting helps).
 * Clients branch on `code`; the messages are for people. `%s` in a message is filled from the
 * constructor's arguments.
 */
export const HttpError = {
  /** No route for the method and path. */
  NOT_FOUND: createError('NOT_FOUND', 'no route %s %s', 404),
  /** The body, query or path parameters are invalid; `fields` says which and why. */
  VALIDATION_FAILED: createError('VALIDATION_FAILED', 'the request is invalid', 400),
  /** The body is not JSON, or is empty where JSON was announced. */
  INVALID_JSON: createError('INVALID_JSON', '%s', 400),
  BODY_TOO_LARGE: createError('BODY_TOO_LARGE', '%s', 413),
  UNSUPPORTED_MEDIA_TYPE: createError('UNSUPPORTED_MEDIA_TYPE', '%s', 415),
  BAD_URL: createError('BAD_URL', '%s', 400),
  URI_TOO_LONG: createError('URI_TOO_LONG', '%s', 414),
  /** Any other malformed request. */
  BAD_REQUEST: createError('BAD_REQUEST', '%s', 400),
  /** No admin token where one is needed. */
  UNAUTHORIZED: createError('UNAUTHORIZED', '%s', 401),
  /** A wrong admin token, or admin access disabled. */
  FORBIDDEN: createError('FORBIDDEN', 'the admin token is not valid', 403),
  /** A page of an origin not in ALLOWED_ORIGINS. */
  FORBIDDEN_ORIGIN: createError('FORBIDDEN_ORIGIN', 'requests from origin %s are not allowed', 403),
  /** The address failed to authenticate too often; `Retry-After` says when it may try again. */
  TOO_MANY_FAILURES: createError(
    'TOO_MANY_FAILURES',
    'too many failed authentications from this address; try again in %s s',
    429,
  ),
  /** Memory is CRITICAL: new work is refused until it is back under the cleanup level. */
  SERVER_OVERLOADED: createError('SERVER_OVERLOADED', 'memory is critical; new %s are refused for now', 503),
  /** The key has as many jobs pending or running as it may (MAX_ACTIVE_SCANS_PER_KEY, one report). */
  TOO_MANY_JOBS: createError('TOO_MANY_JOBS', 'at most %s %s of one api key at once; try again later', 429),
  /** Too many scans wait already. */
  QUEUE_FULL: createError('QUEUE_FULL', 'too many scans are waiting; try again later', 429),
  /** Too many log streams or dashboards are open. */
  TOO_MANY_STREAMS: createError('TOO_MANY_STREAMS', 'at most %s %s at once', 503),
  TASK_NOT_FOUND: createError('TASK_NOT_FOUND', 'no task %s', 404),
  /** The task finished and was swept after its retention (TASK_CLEANUP_AFTER_HOURS). */
  TASK_EXPIRED: createError(
    'TASK_EXPIRED',
    'task %s finished and was removed after its retention period',
    410,
  ),
  REPORT_NOT_FOUND: createError('REPORT_NOT_FOUND', 'no report %s', 404),
  /** Several reports are being generated already. */
  REPORTS_BUSY: createError('REPORTS_BUSY', 'several reports are being generated; try again shortly', 429),
  DATABASE_UNAVAILABLE: createError(
    'DATABASE_UNAVAILABLE',
    'the report database cannot be reached right now',
    503,
  ),
  /** The indices have not been computed yet, or expired. */
  INDICES_UNAVAILABLE: createError(
    'INDICES_UNAVAILABLE',
    'the market indices have not been computed yet or expired',
    503,
  ),
  STORE_UNAVAILABLE: createError('STORE_UNAVAILABLE', 'the key-value store is unavailable: %s', 503),
  UNKNOWN_EXCHANGE: createError('UNKNOWN_EXCHANGE', 'unknown exchange %s', 404),
  /** The upstream exchange did not answer. */
  BROKER_ERROR: createError('BROKER_ERROR', 'the exchange did not answer: %s', 502),
  /** Anything unexpected; logged with its details, answered without them. */
  INTERNAL_ERROR: createError('INTERNAL_ERROR', 'internal error', 500),
} satisfies Record<string, FastifyErrorConstructor>;

export type HttpErrorCode = keyof typeof HttpError;

/** Seconds a client should wait before trying again, sent as Retry-After. */
const RETRY_AFTER_SECONDS: Partial<Record<HttpErrorCode, number>> = {
  SERVER_OVERLOADED: 30,
  QUEUE_FULL: 30,
  TOO_MANY_JOBS: 30,
  TOO_MANY_STREAMS: 10,
  REPORTS_BUSY: 10,
  DATABASE_UNAVAILABLE: 5,
  INDICES_UNAVAILABLE: 30,
  STORE_UNAVAILABLE: 5,
};

/** Sets the Retry-After of one error, for a wait that is known only when it happens. */
export function retryAfter<E extends Error>(error: E, seconds: number): E {
  return Object.assign(error, { retryAfterSeconds: seconds });
}

/** One invalid field: where (`symbols.0`, `limit`, or `(body)` for the whole body) and why. */
export interface FieldError {
  path: string;
  message: string;
}

/** The body of every HTTP error. */
export interface HttpErrorBody {
  error: { code: string; message: string; fields?: FieldError[] };
}

/** At most this many field errors are listed. */
const MAX_FIELDS = 20;

/** VALIDATION_FAILED for a check the schema cannot express (an exchange that is not served). */
export function validationFailed(fields: FieldError[]): FastifyError & { fields: FieldError[] } {
  return Object.assign(new HttpError.VALIDATION_FAILED(), { fields });
}

/** Fastify's own request errors, under the codes of the registry. */
const FRAMEWORK_CODES: Record<string, HttpErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

/**
 * Answers every error in the one shape: unknown routes, schema validation (zod, through
 * fastify-type-provider-zod), the registry's errors, fastify's own request errors, and anything
 * unexpected (logged, answered 500 INTERNAL_ERROR without details).
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request) => {
    throw new HttpError.NOT_FOUND(request.method, request.url.split('?')[0] ?? '');
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const fields = error.validation.slice(0, MAX_FIELDS).map((issue) => ({
        path: issue.instancePath.split('/').filter(Boolean).join('.') || '(body)',
        message: issue.message ?? 'invalid',
      }));
      return send(reply, 'VALIDATION_FAILED', 400, 'the request is invalid', fields);
    }
    const code = registryCode(error);
    if (code) {
      // A refusal caused by a fault below (the database, the store) is worth a line in the log.
      if (error.cause !== undefined) request.log.warn({ err: error }, 'request refused');
      const wait = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      const seconds = typeof wait === 'number' ? wait : undefined;
      return send(reply, code, error.statusCode ?? 500, error.message, fieldsOf(error), seconds);
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return send(reply, 'INTERNAL_ERROR', 500, 'internal error');
    }
    return send(reply, FRAMEWORK_CODES[error.code] ?? 'BAD_REQUEST', status, error.message);
  });
}

/**
 * Fastify's `frameworkErrors` option. The router answers a malformed URL or a path parameter over
 * `maxParamLength` before any route or error handler runs, in a body of its own; this answers
 * them in the shape of every other error.
 */
export function answerRouterError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void send(reply, FRAMEWORK_CODES[error.code] ?? 'BAD_REQUEST', error.statusCode ?? 400, error.message);
}

function send(
  reply: FastifyReply,
  code: HttpErrorCode,
  status: number,
  message: string,
  fields?: FieldError[],
  retryAfterSeconds = RETRY_AFTER_SECONDS[code],
): FastifyReply {
  if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
  const body: HttpErrorBody = { error: { code, message, ...(fields ? { fields } : {}) } };
  return reply.code(status).send(body);
}

/** The registry code of an error made by one of its constructors. */
function registryCode(error: FastifyError): HttpErrorCode | undefined {
  const code = error.code as HttpErrorCode;
  return Object.hasOwn(HttpError, code) && error instanceof HttpError[code] ? code : undefined;
}

function fieldsOf(error: FastifyError): FieldError[] | undefined {
  const fields = (error as { fields?: unknown }).fields;
  return Array.isArray(fields) ? (fields as FieldError[]) : undefined;
}
