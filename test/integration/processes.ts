// Ending what a test started, on every path: the process, what it forked, and a deadline on both.
import { readFileSync } from 'node:fs';
import { descendants } from '../../scripts/lib/procTree.mjs';

export { descendants };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Alive and not a zombie waiting for its parent. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Ends `pids`: SIGTERM, then SIGKILL for those still there after `graceMs`, polling /proc until all are
 * gone. Rejects, naming them, if some outlive the deadline.
 */
export async function endProcesses(pids: number[], { graceMs = 5_000, deadlineMs = 15_000 } = {}): Promise<void> {
  const send = (pid: number, signal: NodeJS.Signals): void => { try { process.kill(pid, signal); } catch { /* gone */ } };
  const started = Date.now();
  for (const pid of pids) send(pid, 'SIGTERM');
  let killed = false;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0) return;
    if (!killed && Date.now() - started >= graceMs) { killed = true; for (const pid of left) send(pid, 'SIGKILL'); }
    if (Date.now() - started >= deadlineMs) throw new Error(`processes ${left.join(', ')} still running ${deadlineMs / 1000} s after SIGKILL`);
    await sleep(100);
  }
}
