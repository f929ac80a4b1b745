import { compareDebVersions } from './debVersion';
import type { LockFile } from './lock';

/** One archive index the lock is compared with: a suite's Packages, and whether it is the security suite. */
export interface ArchiveIndex { readonly suite: string; readonly security: boolean; readonly packages: string }

export interface Outdated {
  readonly name: string;
  readonly arch: string;
  readonly locked: string;
  readonly newest: string;
  /** The suite the newest version is in. */
  readonly suite: string;
  readonly security: boolean;
}

/**
 * The locked packages with a newer version in the archive's current indices: security updates first, then by name.
 * An `all` package is looked up as `all`; a version only in an index of another architecture does not count.
 */
export function outdatedPackages(lock: LockFile, indices: readonly ArchiveIndex[]): Outdated[] {
  const newest = new Map<string, { version: string; suite: string; security: boolean }>();
  for (const idx of indices) {
    for (const block of idx.packages.split(/\n\s*\n/u)) {
      const f = (k: string): string | undefined => new RegExp(`^${k}: (.*)$`, 'mu').exec(block)?.[1]?.trim();
      const name = f('Package');
      const version = f('Version');
      const arch = f('Architecture');
      if (!name || !version || !arch) continue;
      const key = `${name} ${arch}`;
      const had = newest.get(key);
      if (!had || compareDebVersions(version, had.version) > 0) newest.set(key, { version, suite: idx.suite, security: idx.security });
    }
  }
  const out: Outdated[] = [];
  for (const p of lock.packages) {
    const n = newest.get(`${p.name} ${p.arch}`);
    if (n && compareDebVersions(n.version, p.version) > 0) {
      out.push({ name: p.name, arch: p.arch, locked: p.version, newest: n.version, suite: n.suite, security: n.security });
    }
  }
  return out.sort((a, b) => (a.security !== b.security ? (a.security ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
