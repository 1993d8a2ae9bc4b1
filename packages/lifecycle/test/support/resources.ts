export { manualClock } from '../../src/testing/manual-clock.js';
import { silentLogger } from '../../src/logger.js';
import { ResourceRegistry, type ResourceRegistryOptions } from '../../src/resource-registry.js';

/** A stand-in for an exchange client: counts its closes. */
export class Conn {
  closes = 0;
  constructor(readonly key: string) {}
  close(): void {
    this.closes++;
  }
}

/** A factory that counts its calls and keeps what it created. */
export function connFactory(): { create: (key: string) => Conn; made: Conn[] } {
  const made: Conn[] = [];
  return {
    made,
    create: (key) => {
      const conn = new Conn(key);
      made.push(conn);
      return conn;
    },
  };
}

export function registry(
  options: ResourceRegistryOptions<string, Conn> = {},
): ResourceRegistry<string, Conn> {
  return new ResourceRegistry<string, Conn>({ logger: silentLogger, ...options });
}
