import { GcObserver, LeakTracker, MemoryMonitor, StructureRegistry } from '@steadystate/lifecycle';
import { own, scheduling, type BuildContext } from './build-context.js';

/** What watches the process: every other part registers with these. */
export interface Observability {
  readonly structures: StructureRegistry;
  readonly leakTracker: LeakTracker;
  readonly gc: GcObserver;
  readonly monitor: MemoryMonitor;
}

/** The structure registry, the leak tracker, the GC observer and the memory monitor. Built first, closed last. */
export function buildObservability(context: BuildContext): Observability {
  const { config, logger, options } = context;
  const structures = new StructureRegistry();
  own(context, 'structure registry', () => structures.close());
  const leakTracker = new LeakTracker({ name: 'leak-tracker', structures, logger });
  own(context, 'leak tracker', () => leakTracker.close());
  const gc = new GcObserver({ structures, logger, autostart: false });
  own(context, 'gc observer', () => gc.close());
  context.starters.push(() => gc.start());
  const memory = config.memory;
  const monitor = new MemoryMonitor({
    intervalMs: memory.checkIntervalMs,
    ...(memory.criticalBytes === undefined
      ? {}
      : {
          warningBytes: memory.warningBytes,
          cleanupBytes: memory.cleanupBytes,
          criticalBytes: memory.criticalBytes,
        }),
    ...(options.readMemory ? { read: options.readMemory } : {}),
    logger,
    ...scheduling(context),
  });
  own(context, 'memory monitor', () => monitor.close());
  context.starters.push(() => monitor.start());
  return { structures, leakTracker, gc, monitor };
}
