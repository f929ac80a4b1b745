import type { DpkgPackage } from './dpkg';

/** Why a package is installed, and what removing it frees. */
export interface DepFacts {
  /** Package names freed when this one goes: itself plus what only it needs. */
  readonly frees: string[];
  /** `Essential`, `Priority required`, `installed on purpose` or `needed by a ← b (Essential)`. */
  readonly why: string;
}

/**
 * The dependency graph of installed packages (Depends + Pre-Depends; an alternative is satisfied
 * by its first installed choice, a virtual name by a package that provides it). The roots are what
 * must stay: Essential and Priority required packages, those the recipe asked for, and those
 * nothing depends on (installed on purpose); a cycle nothing reaches gets one member as a root.
 * Removing P frees every package no root reaches any more once P is gone.
 */
export function dependencyFacts(packages: readonly DpkgPackage[], asked: ReadonlySet<string> = new Set()): Map<string, DepFacts> {
  const names = packages.map((p) => p.name);
  const index = new Map<string, number>();
  names.forEach((n, i) => { if (!index.has(n)) index.set(n, i); });
  const provider = new Map<string, number>();
  packages.forEach((p, i) => { for (const v of p.provides) if (!provider.has(v)) provider.set(v, i); });
  const edges: number[][] = packages.map((p, i) => {
    const out = new Set<number>();
    for (const alts of p.depends) {
      for (const a of alts) {
        const j = index.get(a) ?? provider.get(a);
        if (j !== undefined) { if (j !== i) out.add(j); break; }
      }
    }
    return [...out];
  });
  const rdeps: number[][] = packages.map(() => []);
  edges.forEach((es, i) => { for (const j of es) rdeps[j]!.push(i); });

  const reach = (roots: readonly number[], without: number): Uint8Array => {
    const seen = new Uint8Array(packages.length);
    const stack = roots.filter((r) => r !== without);
    for (const r of stack) seen[r] = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      for (const j of edges[i]!) if (j !== without && !seen[j]) { seen[j] = 1; stack.push(j); }
    }
    return seen;
  };
  const reason = new Map<number, string>();
  const roots: number[] = [];
  packages.forEach((p, i) => {
    const r = p.essential ? 'Essential' : p.priority === 'required' ? 'Priority required' : asked.has(p.name) ? 'asked for by the recipe' : rdeps[i]!.length === 0 ? 'installed on purpose' : undefined;
    if (r !== undefined) { reason.set(i, r); roots.push(i); }
  });
  for (let all = reach(roots, -1), i = all.indexOf(0); i >= 0; all = reach(roots, -1), i = all.indexOf(0)) {
    reason.set(i, 'installed on purpose');
    roots.push(i);
  }

  // Why: the shortest chain of reverse dependencies up to a root.
  const via = new Int32Array(packages.length).fill(-1);
  const dist = new Int32Array(packages.length).fill(-1);
  const queue = [...roots];
  for (const r of roots) dist[r] = 0;
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    for (const j of edges[i]!) if (dist[j]! < 0) { dist[j] = dist[i]! + 1; via[j] = i; queue.push(j); }
  }
  const facts = new Map<string, DepFacts>();
  packages.forEach((p, i) => {
    let why = reason.get(i);
    if (why === undefined) {
      const chain: string[] = [];
      let k = via[i]!;
      while (k >= 0 && chain.length < 8) { chain.push(names[k]!); if (reason.has(k)) break; k = via[k]!; }
      why = `needed by ${chain.join(' ← ')}${k >= 0 && reason.has(k) ? ` (${reason.get(k)})` : ''}`;
    }
    const kept = reach(roots, i);
    const frees = names.filter((_, j) => !kept[j]);
    facts.set(p.name, { frees, why });
  });
  return facts;
}
