import { InvalidOptionError, type Logger, type StructureRegistry } from '@steadystate/lifecycle';
import { z } from 'zod';

/**
 * Validates an options object against a zod schema and turns the first problem into the
 * toolkit's InvalidOptionError (a TypeError whose `option` names the field), so gateway classes
 * fail at construction exactly like the toolkit's own.
 */
export function parseOptions<S extends z.ZodType>(owner: string, schema: S, options: unknown): z.output<S> {
  const result = schema.safeParse(options === undefined ? {} : options);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path[0];
  if (key === undefined || typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(owner, 'options', 'an object', options);
  }
  const option = String(key);
  throw new InvalidOptionError(
    owner,
    option,
    issue?.message ?? 'valid',
    (options as Record<string, unknown>)[option],
  );
}

/** A finite integer from `min` to `max`; every way to miss it gives the same expectation text. */
export function integerIn(min: number, max: number) {
  const expected = `an integer from ${min} to ${max}`;
  return z.number(expected).int(expected).min(min, expected).max(max, expected);
}

/** A finite number from `min` to `max`. */
export function numberIn(min: number, max: number) {
  const expected = `a finite number from ${min} to ${max}`;
  return z.number(expected).min(min, expected).max(max, expected);
}

/** Any function; `F` is the signature the option documents (zod cannot check it). */
export function functionOption<F extends (...args: never[]) => unknown>() {
  return z.custom<F>((value) => typeof value === 'function', 'a function');
}

/** An object with the listed methods (a logger, a registry, a market). */
export function objectWith<T extends object>(methods: readonly string[]) {
  return z.custom<T>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function'),
    `an object with ${methods.join(', ')}`,
  );
}

export const loggerOption = () => objectWith<Logger>(['debug', 'info', 'warn', 'error']);
export const structuresOption = () => objectWith<StructureRegistry>(['register']);
