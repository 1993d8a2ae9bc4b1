import { readFile } from 'node:fs/promises';

/** What /proc/<pid>/status says about a process's memory and scheduling; sizes in bytes. */
export interface ProcStatus {
  /** Resident set size (VmRSS). */
  readonly rssBytes: number;
  /** Peak resident set size (VmHWM). */
  readonly hwmBytes: number;
  /** Virtual memory size (VmSize). */
  readonly vmSizeBytes: number;
  /** Anonymous resident memory (RssAnon): the heap and stacks, without mapped files. Null on kernels before 4.5. */
  readonly rssAnonBytes: number | null;
  readonly threads: number;
  readonly voluntaryCtxtSwitches: number;
  readonly nonvoluntaryCtxtSwitches: number;
}

const KB = 1024;

/**
 * Reads the text of /proc/<pid>/status. Throws a TypeError when VmRSS is missing, as it is for a
 * zombie or a kernel thread: such a process has no memory to sample.
 */
export function parseProcStatus(text: string): ProcStatus {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const kb = (name: string): number | null => {
    const match = /^(\d+)\s*kB$/.exec(fields.get(name) ?? '');
    return match ? Number(match[1]) * KB : null;
  };
  const count = (name: string): number => {
    const value = fields.get(name);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : 0;
  };
  const rss = kb('VmRSS');
  if (rss === null)
    throw new TypeError('no VmRSS in /proc status: the process is a zombie or a kernel thread');
  return {
    rssBytes: rss,
    hwmBytes: kb('VmHWM') ?? rss,
    vmSizeBytes: kb('VmSize') ?? 0,
    rssAnonBytes: kb('RssAnon'),
    threads: count('Threads'),
    voluntaryCtxtSwitches: count('voluntary_ctxt_switches'),
    nonvoluntaryCtxtSwitches: count('nonvoluntary_ctxt_switches'),
  };
}

/** The status of process `pid`, or null once it is gone (or a zombie): works for any process. */
export async function readProcStatus(pid: number): Promise<ProcStatus | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  try {
    return parseProcStatus(text);
  } catch {
    return null;
  }
}
