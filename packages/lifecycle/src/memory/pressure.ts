import { readFileSync } from 'node:fs';

/** One line of a PSI file: the share of time (percent) some or all tasks stalled on memory. */
export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time in microseconds. */
  total: number;
}

export interface MemoryPressure {
  some: PressureLine;
  /** Absent on kernels that report only "some". */
  full: PressureLine | null;
}

/**
 * Reads Linux pressure stall information for memory (`/proc/pressure/memory`, kernel 4.20+
 * with PSI enabled). Returns null where the kernel does not offer it.
 */
export function readMemoryPressure(path = '/proc/pressure/memory'): MemoryPressure | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  return parseMemoryPressure(text);
}

/** Parses the text of a PSI file; null when it has no valid "some" line. */
export function parseMemoryPressure(text: string): MemoryPressure | null {
  let some: PressureLine | null = null;
  let full: PressureLine | null = null;
  for (const line of text.split('\n')) {
    const [kind, ...fields] = line.trim().split(/\s+/);
    if (kind !== 'some' && kind !== 'full') continue;
    const values = Object.fromEntries(fields.map((f) => f.split('=') as [string, string]));
    const parsed = {
      avg10: Number(values.avg10),
      avg60: Number(values.avg60),
      avg300: Number(values.avg300),
      total: Number(values.total),
    };
    if (!Object.values(parsed).every(Number.isFinite)) continue;
    if (kind === 'some') some = parsed;
    else full = parsed;
  }
  return some ? { some, full } : null;
}
