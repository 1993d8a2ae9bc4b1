import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsyncDisposableStack, SuppressedError } from '../src/async-disposable-stack.js';
import { CloseStepError, closeStep, disposalErrors, disposeReporting } from '../src/close-steps.js';
import { LifecycleErrorCode } from '../src/errors.js';

describe('AsyncDisposableStack', () => {
  it('disposes in reverse order, awaiting each, and only once', async () => {
    const order: string[] = [];
    const stack = new AsyncDisposableStack();
    const a = stack.use({ [Symbol.asyncDispose]: () => Promise.resolve(void order.push('a')) });
    stack.use({ [Symbol.dispose]: () => void order.push('b') });
    const c = stack.adopt('c', async (value) => {
      await new Promise((resolve) => setImmediate(resolve));
      order.push(value);
    });
    stack.defer(() => void order.push('d'));
    assert.equal(stack.use(null), null);
    assert.equal(stack.use(undefined), undefined);
    assert.ok(a && c === 'c');
    assert.equal(stack.disposed, false);
    await stack.disposeAsync();
    assert.deepEqual(order, ['d', 'c', 'b', 'a']);
    assert.equal(stack.disposed, true);
    await stack[Symbol.asyncDispose]();
    assert.deepEqual(order, ['d', 'c', 'b', 'a'], 'a second disposal does nothing');
  });

  it('runs every disposer when some throw, then throws one error as itself and several as a chain', async () => {
    const ran: number[] = [];
    const one = new AsyncDisposableStack();
    one.defer(() => void ran.push(1));
    one.defer(() => {
      throw new Error('only');
    });
    await assert.rejects(one.disposeAsync(), (e: unknown) => e instanceof Error && e.message === 'only');
    assert.deepEqual(ran, [1]);

    const several = new AsyncDisposableStack();
    several.defer(() => Promise.reject(new Error('first pushed, thrown last')));
    several.defer(() => void ran.push(2));
    several.defer(() => {
      throw new Error('thrown first');
    });
    const thrown = await several.disposeAsync().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(thrown instanceof SuppressedError);
    assert.deepEqual(ran, [1, 2]);
    assert.deepEqual(
      disposalErrors(thrown).map((e) => (e as Error).message),
      ['thrown first', 'first pushed, thrown last'],
    );
  });

  it('refuses new work once disposed and values it cannot dispose', async () => {
    const stack = new AsyncDisposableStack();
    assert.throws(() => stack.use({} as AsyncDisposable), TypeError);
    assert.throws(() => stack.use(42 as unknown as AsyncDisposable), TypeError);
    assert.throws(() => stack.defer(undefined as unknown as () => void), TypeError);
    await stack.disposeAsync();
    assert.throws(() => stack.defer(() => {}), ReferenceError);
    assert.throws(() => stack.move(), ReferenceError);
  });

  it('move() hands everything to a new stack and leaves the old one owning nothing', async () => {
    const order: string[] = [];
    const building = new AsyncDisposableStack();
    building.defer(() => void order.push('built'));
    const owner = building.move();
    assert.equal(building.disposed, true);
    await building.disposeAsync();
    assert.deepEqual(order, []);
    await owner.disposeAsync();
    assert.deepEqual(order, ['built']);
  });
});

describe('closeStep and disposeReporting', () => {
  it('name the part that failed and report every failure without throwing', async () => {
    const ran: string[] = [];
    const stack = new AsyncDisposableStack();
    stack.defer(closeStep('database', () => Promise.reject(new Error('connection lost'))));
    stack.defer(closeStep('cache', () => void ran.push('cache')));
    stack.defer(
      closeStep('server', () => {
        throw new Error('already closed');
      }),
    );
    const reported: unknown[] = [];
    await disposeReporting(stack, (error) => reported.push(error));
    assert.deepEqual(ran, ['cache']);
    assert.deepEqual(
      reported.map((e) => (e instanceof CloseStepError ? [e.step, e.code, (e.cause as Error).message] : e)),
      [
        ['server', LifecycleErrorCode.CLOSE_FAILED, 'already closed'],
        ['database', LifecycleErrorCode.CLOSE_FAILED, 'connection lost'],
      ],
    );
  });
});
