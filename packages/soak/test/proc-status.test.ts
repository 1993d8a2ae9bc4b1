import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { parseProcStatus, readProcStatus } from '../src/proc-status.js';

/** The lines of a real /proc/<pid>/status that matter, as Linux 6.x prints them. */
const STATUS = `Name:\tnode
Umask:\t0022
State:\tS (sleeping)
Pid:\t4242
VmPeak:\t11985716 kB
VmSize:\t11432492 kB
VmHWM:\t  131200 kB
VmRSS:\t  124740 kB
RssAnon:\t   61440 kB
RssFile:\t   63300 kB
Threads:\t11
voluntary_ctxt_switches:\t2822
nonvoluntary_ctxt_switches:\t117
`;

describe('/proc/<pid>/status', () => {
  it('reads the sizes in bytes and the counts', () => {
    assert.deepEqual(parseProcStatus(STATUS), {
      rssBytes: 124740 * 1024,
      hwmBytes: 131200 * 1024,
      vmSizeBytes: 11432492 * 1024,
      rssAnonBytes: 61440 * 1024,
      threads: 11,
      voluntaryCtxtSwitches: 2822,
      nonvoluntaryCtxtSwitches: 117,
    });
  });

  it('refuses a status without VmRSS (a zombie or a kernel thread)', () => {
    assert.throws(() => parseProcStatus('Name:\tkthreadd\nState:\tS (sleeping)\nThreads:\t1\n'), TypeError);
  });

  it('reads a live process, any process, and null once it is gone', async () => {
    const own = await readProcStatus(process.pid);
    assert.ok(own && own.rssBytes > 0 && own.threads >= 1);

    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const pid = child.pid ?? 0;
    const alive = await readProcStatus(pid);
    assert.ok(alive && alive.rssBytes > 0);
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(await readProcStatus(pid), null);
  });
});
