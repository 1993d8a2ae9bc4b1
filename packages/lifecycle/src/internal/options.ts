import { MAX_TIMER_MS, systemTimers, type Timers } from '../clock.js';
import { InvalidOptionError } from '../errors.js';

interface NumberRule {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). Always finite: the toolkit refuses unbounded options. */
  max?: number;
}

/**
 * Reads and validates one options object. Each accessor throws an {@link InvalidOptionError}
 * naming the owner and the option, so a bad configuration fails at construction, not hours later.
 */
export class OptionReader {
  readonly #owner: string;
  readonly #options: Record<string, unknown>;

  constructor(owner: string, options: unknown) {
    if (options === undefined) options = {};
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new InvalidOptionError(owner, 'options', 'an object', options);
    }
    this.#owner = owner;
    this.#options = options as Record<string, unknown>;
  }

  /** A finite integer within the rule; `fallback` when absent (required when no fallback). */
  integer(name: string, rule: NumberRule, fallback?: number): number {
    const value = this.#read(name, fallback);
    if (typeof value !== 'number' || !Number.isInteger(value) || !within(value, rule)) {
      throw this.#invalid(name, `an integer${range(rule)}`, value);
    }
    return value;
  }

  /** A finite number within the rule; `fallback` when absent (required when no fallback). */
  number(name: string, rule: NumberRule, fallback?: number): number {
    const value = this.#read(name, fallback);
    if (typeof value !== 'number' || !Number.isFinite(value) || !within(value, rule)) {
      throw this.#invalid(name, `a finite number${range(rule)}`, value);
    }
    return value;
  }

  /** Like {@link number} but `undefined` when absent. */
  optionalNumber(name: string, rule: NumberRule): number | undefined {
    return this.#options[name] === undefined ? undefined : this.number(name, rule);
  }

  /** Like {@link integer} but `undefined` when absent. */
  optionalInteger(name: string, rule: NumberRule): number | undefined {
    return this.#options[name] === undefined ? undefined : this.integer(name, rule);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.#read(name, fallback);
    if (typeof value !== 'boolean') throw this.#invalid(name, 'a boolean', value);
    return value;
  }

  string(name: string, fallback?: string): string {
    const value = this.#read(name, fallback);
    if (typeof value !== 'string' || value.length === 0) {
      throw this.#invalid(name, 'a non-empty string', value);
    }
    return value;
  }

  /** A function; `fallback` when absent (required when no fallback). */
  function<F extends (...args: never[]) => unknown>(name: string, fallback?: F): F {
    const value = this.#read(name, fallback);
    if (typeof value !== 'function') throw this.#invalid(name, 'a function', value);
    return value as F;
  }

  optionalFunction<F extends (...args: never[]) => unknown>(name: string): F | undefined {
    return this.#options[name] === undefined ? undefined : this.function<F>(name);
  }

  /** An object with the given methods (a logger, a registry); `fallback` when absent. */
  object<T extends object>(name: string, methods: readonly string[], fallback?: T): T {
    const value = this.#read(name, fallback);
    const ok =
      typeof value === 'object' &&
      value !== null &&
      methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
    if (!ok) {
      const what = methods.length > 0 ? `an object with ${methods.join(', ')}` : 'an object';
      throw this.#invalid(name, what, value);
    }
    return value as T;
  }

  optionalObject<T extends object>(name: string, methods: readonly string[]): T | undefined {
    return this.#options[name] === undefined ? undefined : this.object<T>(name, methods);
  }

  /** The `timers` option: where a class schedules its work; Node's own (unref()ed) when absent. */
  timers(): Timers {
    return this.object<Timers>(
      'timers',
      ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
      systemTimers,
    );
  }

  /** One of the listed string values. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.#read(name, fallback);
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      throw this.#invalid(name, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value);
    }
    return value as T;
  }

  /** An AbortSignal, or undefined when absent. */
  optionalSignal(name: string): AbortSignal | undefined {
    const value = this.#options[name];
    if (value === undefined) return undefined;
    if (!(value instanceof AbortSignal)) throw this.#invalid(name, 'an AbortSignal', value);
    return value;
  }

  /** Throws for an option that breaks a rule involving more than one field. */
  fail(name: string, expectation: string): never {
    throw this.#invalid(name, expectation, this.#options[name]);
  }

  #read(name: string, fallback: unknown): unknown {
    const value = this.#options[name];
    if (value !== undefined) return value;
    if (fallback === undefined) throw this.#invalid(name, 'set (it has no default)', value);
    return fallback;
  }

  #invalid(name: string, expectation: string, value: unknown): InvalidOptionError {
    return new InvalidOptionError(this.#owner, name, expectation, value);
  }
}

function within(value: number, rule: NumberRule): boolean {
  return (rule.min === undefined || value >= rule.min) && (rule.max === undefined || value <= rule.max);
}

function range(rule: NumberRule): string {
  if (rule.min !== undefined && rule.max !== undefined) return ` from ${rule.min} to ${rule.max}`;
  if (rule.min !== undefined) return ` >= ${rule.min}`;
  if (rule.max !== undefined) return ` <= ${rule.max}`;
  return '';
}

/** The longest duration any option accepts: what a timer can hold (2^31 - 1 ms, about 24.8 days). */
export const MAX_DURATION_MS = MAX_TIMER_MS;
