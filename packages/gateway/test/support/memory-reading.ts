import type { MemoryReading } from '@steadystate/lifecycle';

const MB = 1024 * 1024;

/**
 * A memory reading a test sets, for the gateway's `readMemory` option: the monitor sees the RSS
 * the test chose, so a level (CRITICAL, say) can be reached and left on demand.
 */
export function adjustableMemory(rssMb: number): { read: () => MemoryReading; setRssMb(mb: number): void } {
  let rss = rssMb * MB;
  return {
    read: () => ({
      at: Date.now(),
      rss,
      heapTotal: 64 * MB,
      heapUsed: 32 * MB,
      external: MB,
      arrayBuffers: MB,
      heapLimit: 4096 * MB,
      containerLimit: null,
      containerLimitSource: null,
    }),
    setRssMb(mb) {
      rss = mb * MB;
    },
  };
}
