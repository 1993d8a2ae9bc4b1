import type { TaskSnapshot, TaskSummary } from '@steadystate/lifecycle';
import { ownerOf, type ScanService } from '../scans/scan-service.js';
import { mayAccess, type Caller } from './caller.js';
import { HttpError } from './http-errors.js';
import { z } from 'zod';

export const taskIdParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a task id as returned by POST /api/scans'),
});

/** A task as the HTTP API shows it; the result and error only for a single-task read. */
export function presentTask(task: TaskSummary | TaskSnapshot<unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: task.id,
    label: task.label,
    status: task.status,
    created_at: task.createdAt,
    started_at: task.startedAt,
    finished_at: task.finishedAt,
    progress: task.progress && {
      done: task.progress.done,
      total: task.progress.total,
      message: task.progress.message,
    },
    result_cleared: task.resultCleared,
  };
  if ('result' in task) {
    view.result = task.result ?? null;
    view.error = task.error ? { message: task.error.message } : null;
  }
  return view;
}

/**
 * The task of `id`, as `caller` may see it. Throws 404 TASK_NOT_FOUND for an id never seen (or
 * removed), and for another key's task (its existence is not revealed); 410 TASK_EXPIRED for one
 * swept after its retention.
 */
export function findTask(scans: ScanService, id: string, caller: Caller): TaskSnapshot<unknown> {
  const lookup = scans.lookup(id);
  if (lookup.state === 'found') {
    if (!mayAccess(caller, ownerOf(lookup.task))) throw new HttpError.TASK_NOT_FOUND(id);
    return lookup.task;
  }
  throw lookup.state === 'expired' ? new HttpError.TASK_EXPIRED(id) : new HttpError.TASK_NOT_FOUND(id);
}

export function isFinished(task: TaskSummary): boolean {
  return task.status !== 'pending' && task.status !== 'running';
}
