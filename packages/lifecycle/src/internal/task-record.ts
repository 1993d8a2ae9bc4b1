import { randomUUID } from 'node:crypto';
import { InvalidOptionError } from '../errors.js';
import type {
  StartTaskOptions,
  TaskFunction,
  TaskProgress,
  TaskSnapshot,
  TaskStatus,
  TaskSummary,
} from '../task-types.js';
import { OptionReader } from './options.js';

/** What the registry keeps for one task; mutable, never handed out (callers get snapshots). */
export interface TaskRecord<R> {
  readonly id: string;
  /** Creation order: list() sorts and pages by it, so a cursor stays valid as tasks come and go. */
  readonly seq: number;
  readonly label: string | null;
  readonly metadata: Readonly<Record<string, unknown>> | null;
  readonly createdAt: number;
  status: TaskStatus;
  startedAt: number | null;
  finishedAt: number | null;
  progress: TaskProgress | null;
  /** Held only while pending; the running call keeps its own reference. */
  fn: TaskFunction<R> | undefined;
  /** Held only while the function may still be running. */
  controller: AbortController | undefined;
  /** Gives the slot of a cancelled task away if its function does not settle in time. */
  graceTimer: NodeJS.Timeout | undefined;
  result: R | undefined;
  error: Error | null;
  resultCleared: boolean;
}

export function isFinished(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

export function toSummary<R>(record: TaskRecord<R>): TaskSummary {
  return {
    id: record.id,
    label: record.label,
    metadata: record.metadata,
    status: record.status,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    progress: record.progress && { ...record.progress },
    resultCleared: record.resultCleared,
  };
}

export function toSnapshot<R>(record: TaskRecord<R>): TaskSnapshot<R> {
  // Extends the summary in place: spreading it into a new object costs several times more.
  const snapshot = toSummary(record) as TaskSnapshot<R>;
  snapshot.result = record.result;
  snapshot.error = record.error;
  return snapshot;
}

/**
 * Drops everything large or resource-like a record points to, so that whatever still reaches
 * the record (a cancelled function that ignores its signal, task code that kept its context)
 * keeps nothing else alive.
 */
export function releaseReferences<R>(record: TaskRecord<R>): void {
  record.fn = undefined;
  record.controller = undefined;
  record.result = undefined;
  record.error = null;
}

const MAX_ID_LENGTH = 128;
const MAX_LABEL_LENGTH = 256;
const MAX_MESSAGE_LENGTH = 1000;

/**
 * Validates the options of `start()`, which may come from outside (an HTTP body), and fills
 * in a fresh id.
 */
export function readStartOptions(
  owner: string,
  options: StartTaskOptions | undefined,
): Pick<TaskRecord<unknown>, 'id' | 'label' | 'metadata'> {
  const read = new OptionReader(owner, options);
  const metadata = read.optionalObject<Record<string, unknown>>('metadata', []);
  return {
    id: boundedString(read, options, 'id', MAX_ID_LENGTH) ?? newId(),
    label: boundedString(read, options, 'label', MAX_LABEL_LENGTH) ?? null,
    metadata: metadata ? Object.freeze({ ...metadata }) : null,
  };
}

/** A fresh pending record. */
export function newRecord<R>(
  fields: Pick<TaskRecord<R>, 'id' | 'seq' | 'label' | 'metadata' | 'createdAt'> & { fn: TaskFunction<R> },
): TaskRecord<R> {
  // Spelled out rather than spread: every record then shares one object shape, which keeps
  // creating and reading them cheap at thousands of tasks a second.
  return {
    id: fields.id,
    seq: fields.seq,
    label: fields.label,
    metadata: fields.metadata,
    createdAt: fields.createdAt,
    status: 'pending',
    startedAt: null,
    finishedAt: null,
    progress: null,
    fn: fields.fn,
    controller: undefined,
    graceTimer: undefined,
    result: undefined,
    error: null,
    resultCleared: false,
  };
}

/**
 * Validates what a task reported through `context.progress()`; a task that passes nonsense has a
 * bug, so it gets an {@link InvalidOptionError} thrown into its own code.
 */
export function toProgress(
  owner: string,
  done: number,
  total: number | undefined,
  message: string | undefined,
  updatedAt: number,
): TaskProgress {
  if (!isCount(done)) throw new InvalidOptionError(owner, 'done', 'a finite number >= 0', done);
  if (total !== undefined && !isCount(total)) {
    throw new InvalidOptionError(owner, 'total', 'a finite number >= 0', total);
  }
  if (message !== undefined && typeof message !== 'string') {
    throw new InvalidOptionError(owner, 'message', 'a string', message);
  }
  return {
    done,
    total: total ?? null,
    message: message === undefined ? null : truncate(message, MAX_MESSAGE_LENGTH),
    updatedAt,
  };
}

/**
 * The first `max` characters as a string of their own. V8's slice() returns a view that keeps the
 * whole original alive, so a task reporting a megabyte-long message would pin a megabyte.
 */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return Buffer.from(text.slice(0, max), 'utf16le').toString('utf16le');
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * A random UUID as a flat string. randomUUID() builds its result by concatenation, which V8
 * keeps as a tree of about twenty pieces (some 480 bytes instead of 56) for as long as the
 * string lives; toLowerCase() copies it flat and leaves the lowercase hex unchanged.
 */
function newId(): string {
  return randomUUID().toLowerCase();
}

function boundedString(
  read: OptionReader,
  options: StartTaskOptions | undefined,
  name: 'id' | 'label',
  maxLength: number,
): string | undefined {
  if (options?.[name] === undefined) return undefined;
  const value = read.string(name);
  if (value.length > maxLength) read.fail(name, `a non-empty string of at most ${maxLength} characters`);
  return value;
}
