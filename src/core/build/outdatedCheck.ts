import { spawnSync } from 'node:child_process';
import type { Recipe } from '../recipe/types';
import { updateSuites } from '../recipe/suites';
import type { BuildHost } from './host';
import type { LockFile } from './lock';
import { outdatedPackages, type ArchiveIndex, type Outdated } from './outdated';

/** What a check of a lock against its archive found: the outdated packages and the suites it read. */
export interface OutdatedCheck { readonly found: readonly Outdated[]; readonly suites: readonly string[] }

/** A suite's Packages index from an archive (the .xz every Debian and Ubuntu archive serves), as text. */
export async function fetchPackages(mirror: string, suite: string, component: string, arch: string): Promise<string> {
  const url = `${mirror.replace(/\/+$/u, '')}/dists/${suite}/${component}/binary-${arch}/Packages.xz`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const xz = spawnSync('xz', ['-dc'], { input: Buffer.from(await res.arrayBuffer()), maxBuffer: 1 << 30 });
  if (xz.status !== 0) throw new Error(`${url}: xz -dc failed: ${xz.stderr?.toString().trim() || xz.error?.message}`);
  return xz.stdout.toString('utf8');
}

/**
 * Reads the archive's current Packages indices (the release, its updates suite, its security suite) and compares
 * the lock with them. The network is read here and only here: `ownbase outdated` and the editor's "Check for
 * Updates" call it on demand. Throws an Error whose message says which archive could not be read.
 */
export async function checkOutdated(
  recipe: Pick<Recipe, 'distro' | 'arch' | 'mirror' | 'security_mirror'>, lock: LockFile, host: BuildHost,
): Promise<OutdatedCheck> {
  const arch = lock.packages.find((p) => p.arch !== 'all')?.arch ?? recipe.arch ?? host.hostArch;
  const defaults = host.toolDefaults(recipe.distro, arch);
  // A snapshot lock is compared with the live archive (this machine's, else the tool's default): the recipe's
  // mirrors are snapshot-style bases, which serve no dists/ of their own.
  const snap = lock.archive.snapshot !== undefined;
  const mirror = (snap ? undefined : lock.archive.mirror ?? recipe.mirror) ?? host.mirror(recipe.distro) ?? defaults.mirror;
  const securityMirror = (snap ? undefined : recipe.security_mirror) ?? host.securityMirror(recipe.distro) ?? defaults.security;
  if (mirror === undefined) throw new Error(`no ${recipe.distro} mirror known: name one in the recipe`);
  const { updates, security } = updateSuites(recipe.distro, lock.archive.suite);
  const wanted: { suite: string; mirror: string; security: boolean }[] = [
    { suite: lock.archive.suite, mirror, security: false },
    ...(updates !== undefined ? [{ suite: updates, mirror, security: false }] : []),
    ...(security !== undefined && securityMirror !== undefined ? [{ suite: security, mirror: securityMirror, security: true }] : []),
  ];
  let indices: ArchiveIndex[];
  try {
    indices = await Promise.all(wanted.flatMap((w) => lock.archive.components.map(async (c) => ({
      suite: w.suite, security: w.security, packages: await fetchPackages(w.mirror, w.suite, c, arch),
    }))));
  } catch (e) {
    throw new Error(`cannot read the archive: ${(e as Error).message}`);
  }
  return { found: outdatedPackages(lock, indices), suites: wanted.map((w) => w.suite) };
}
