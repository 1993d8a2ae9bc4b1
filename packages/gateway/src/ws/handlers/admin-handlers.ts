import { isAdminToken } from '../../auth/api-keys.js';
import { ErrorCode, ProtocolError } from '../../protocol/error-codes.js';
import { withRequestId, type ActionHandler } from './handler-context.js';

/** Admin actions need the admin token in `admin_token`; nothing about other users leaks without it. */
function requireAdmin(handler: ActionHandler): ActionHandler {
  return (client, message, context, requestId) => {
    const blockedFor = context.authFailures.blockedFor(client.address);
    if (blockedFor > 0) {
      throw new ProtocolError(
        ErrorCode.RATE_LIMITED,
        `too many failed authentications from this address; try again in ${blockedFor} s`,
      );
    }
    if (!isAdminToken(context.adminToken, message.admin_token)) {
      // A missing token is a client that did not try; a wrong one is a guess, and counted.
      if (message.admin_token !== undefined) context.authFailures.failed(client.address);
      throw new ProtocolError(ErrorCode.FORBIDDEN, 'this action needs a valid admin_token');
    }
    return handler(client, message, context, requestId);
  };
}

export const getStats = requireAdmin(async (_client, _message, context, requestId) =>
  withRequestId({ type: 'stats', data: await context.stats() }, requestId),
);

export const cleanupOrphaned = requireAdmin(async (_client, _message, context, requestId) =>
  withRequestId({ type: 'cleanup_result', data: await context.subscriptions.cleanupOrphans() }, requestId),
);

export const forceMemoryCleanup = requireAdmin(async (_client, _message, context, requestId) => {
  const before = process.memoryUsage();
  const report = await context.monitor.forceCleanup('admin force_memory_cleanup');
  const after = process.memoryUsage();
  return withRequestId(
    {
      type: 'memory_cleanup_result',
      data: {
        actions_taken: report.results.map((r) => ({
          action: r.name,
          ok: r.ok,
          freed: r.freed,
          duration_ms: r.durationMs,
          ...(r.error === undefined ? {} : { error: r.error }),
        })),
        total_freed: report.totalFreed,
        errors: report.errors,
        forced_gc: report.gc ? { pause_ms: report.gc.pauseMs, freed_bytes: report.gc.freedBytes } : null,
        duration_ms: report.durationMs,
        memory_before: { rss: before.rss, heap_used: before.heapUsed },
        memory_after: { rss: after.rss, heap_used: after.heapUsed },
      },
    },
    requestId,
  );
});
