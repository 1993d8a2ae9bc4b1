import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A preValidation hook for POST routes whose body may be left out: a request that sends no body
 * at all is validated as `{}`. A body that is there (a JSON `null`, say) is validated as it is.
 */
export function emptyBodyAsObject(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const { headers } = request;
  const length = headers['content-length'];
  const sentBody = (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
  if (!sentBody && (request.body === undefined || request.body === null)) request.body = {};
  done();
}
