import { SuppressedError, type AsyncDisposableStack } from './async-disposable-stack.js';
import { LifecycleError, LifecycleErrorCode } from './errors.js';

/** A part failed to close; `step` names the part, `cause` is what its close threw. */
export class CloseStepError extends LifecycleError {
  readonly step: string;

  constructor(step: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(LifecycleErrorCode.CLOSE_FAILED, `closing ${step} failed: ${reason}`, { cause });
    this.name = 'CloseStepError';
    this.step = step;
  }
}

/**
 * A disposer for `stack.defer()` that names its part: whatever `close` throws surfaces as a
 * {@link CloseStepError}, so the owner's log says which part failed.
 */
export function closeStep(step: string, close: () => unknown): () => Promise<void> {
  return async () => {
    try {
      await close();
    } catch (error) {
      throw new CloseStepError(step, error);
    }
  };
}

/**
 * The errors of one disposal in the order they were thrown: a SuppressedError chain unrolled,
 * anything else as a list of one.
 */
export function disposalErrors(error: unknown): unknown[] {
  const errors: unknown[] = [];
  let current = error;
  while (current instanceof SuppressedError) {
    errors.unshift(...disposalErrors(current.error));
    current = current.suppressed;
  }
  errors.unshift(current);
  return errors;
}

/**
 * Disposes `stack` and hands every error to `report` instead of throwing: for `close()` methods,
 * which close every part they can and never fail half-way (bullmq's Worker.close, fastify's
 * onClose). Resolves once every disposer has run.
 */
export async function disposeReporting(
  stack: AsyncDisposableStack,
  report: (error: unknown) => void,
): Promise<void> {
  try {
    await stack.disposeAsync();
  } catch (error) {
    for (const each of disposalErrors(error)) report(each);
  }
}
