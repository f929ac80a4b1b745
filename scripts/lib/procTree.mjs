// The process tree read from /proc, shared by scripts/lib/code-server.mjs and the integration tests
// (test/integration/processes.ts), so both end the same processes.
import { readdirSync, readFileSync } from 'node:fs';

/** Every living descendant of `pid` (children, their children, …), read from /proc; empty where there is none. */
export function descendants(pid) {
  let entries;
  try { entries = readdirSync('/proc'); } catch { return []; }
  const parent = new Map();
  for (const p of entries) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const tree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [child, ppid] of parent) if (!tree.has(child) && tree.has(ppid)) { tree.add(child); grew = true; }
  }
  tree.delete(pid);
  return [...tree];
}
