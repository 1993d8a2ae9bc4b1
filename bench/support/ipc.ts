/**
 * Commands between a benchmark and the child processes it starts (a load-generating client, a
 * server whose memory is measured), over Node's IPC channel. The parent sends `{ id, command,
 * args }`, the child answers `{ id, ok, value | error }`.
 *
 * Children never outlive the benchmark: a child exits when its IPC channel closes (the parent
 * exited or crashed), and the parent kills every child still running when it exits, however it
 * exits.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

interface Request {
  id: number;
  command: string;
  args: unknown;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** Sent by a child once it listens for commands. */
const READY = 'ready';

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A child process that answers commands. */
export class CommandChild {
  readonly #child: ChildProcess;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  readonly #exited: Promise<unknown>;
  #nextId = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    running.add(child);
    this.#exited = once(child, 'exit').then(([code, signal]) => {
      running.delete(child);
      const error = new Error(`child ${child.pid} exited (code ${String(code)}, signal ${String(signal)})`);
      for (const { reject } of this.#pending.values()) reject(error);
      this.#pending.clear();
    });
    child.on('message', (message: Reply) => {
      const waiter = this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`child ${child.pid}: ${message.error ?? 'failed'}`));
    });
  }

  /** Starts `script` (a compiled module) with `args` and waits until it takes commands. */
  static async start(script: URL, args: string[] = [], execArgv: string[] = []): Promise<CommandChild> {
    const child = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = new Promise<void>((resolve, reject) => {
      child.once('message', (message) => (message === READY ? resolve() : reject(new Error('bad hello'))));
      child.once('exit', (code) =>
        reject(new Error(`child exited with ${String(code)} before it was ready`)),
      );
    });
    const handle = new CommandChild(child);
    await ready;
    return handle;
  }

  call<T>(command: string, args: unknown = null): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const request: Request = { id, command, args };
      this.#child.send(request);
    });
  }

  /** Closes the channel, which makes the child exit; kills it if it has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    if (this.#child.connected) this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}

/**
 * Child side: answers each command with its handler's result. When the parent goes away, runs
 * `onExit` (given at most 5 s) and exits.
 */
export function serveCommands(
  handlers: Record<string, (args: never) => unknown>,
  onExit: () => unknown = () => {},
): void {
  if (!process.send) throw new Error('serveCommands: not started with an IPC channel');
  const send = process.send.bind(process);
  process.on('disconnect', () => {
    setTimeout(() => process.exit(1), 5000).unref();
    void Promise.resolve()
      .then(onExit)
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
  process.on('message', (request: Request) => {
    const handler = handlers[request.command];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${request.command}`);
        return handler(request.args as never);
      })
      .then(
        (value) => send({ id: request.id, ok: true, value } satisfies Reply),
        (error: unknown) => send({ id: request.id, ok: false, error: String(error) } satisfies Reply),
      );
  });
  send(READY);
}
