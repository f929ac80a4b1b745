import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateSuites } from '../recipe/suites';
import { PLAN_VERSION } from './inputs';
import type { Plan } from './types';

/**
 * The rootfs cache: the rootfs as it is after bootstrap, upgrade and packages (before slim, remove and finalize), one
 * tar per key under CACHE-ROOT/rootfs. A recipe whose package inputs did not change but whose config, removals or
 * slim did reuses it and runs only slim, remove, finalize and the import (ARCHITECTURE.md "Builds").
 */

/** How many entries a cache root keeps: the most recently used (one bookworm entry is ~150 MB). */
export const ROOTFS_CACHE_KEEP = 3;

/** The folder of the rootfs cache under a cache root. */
export const rootfsCacheRoot = (cacheRoot: string): string => join(cacheRoot, 'rootfs');

/** The companion files beside a rootfs an entry keeps (scripts.ts writes them): `<rootfs>.<name>` ↔ `<entry>/<name>`. */
export const ROOTFS_COMPANIONS = ['updates-applied', 'source-date-epoch', 'packages', 'release'] as const;

/** What decides the rootfs before slim: everything but the recipe's config, slim, remove, image name and checks. */
export interface RootfsKeyInput {
  readonly plan: Pick<Plan, 'recipe' | 'arch' | 'bootstrapTool' | 'mirror' | 'updates'>;
  /** The lock's packages decide what is installed; without a lock, the archive's state does. (lock.ts LockFile; not imported: lock.ts imports the plan.) */
  readonly lock?: {
    readonly archive: { readonly sourceDateEpoch?: number };
    readonly packages: readonly { readonly name: string; readonly version: string; readonly arch: string; readonly sha256: string }[];
  };
  /**
   * Without a lock: the archive's state (archiveState), one SHA-256 per Release file the build reads (the release, its
   * updates and security suites, in that order) of what it says of the Packages indices the build reads. A package
   * published there changes the key, so a cached rootfs never holds older packages than a full build would; a Release
   * file signed again over the same indices does not (a restored rootfs keeps the SOURCE_DATE_EPOCH of the build
   * that kept it).
   */
  readonly releases?: readonly string[];
}

/** The key of a rootfs cache entry (64 hex digits). */
export function rootfsCacheKey(i: RootfsKeyInput): string {
  const { recipe } = i.plan;
  const text = JSON.stringify({
    plan: PLAN_VERSION, distro: recipe.distro, suite: recipe.suite, arch: i.plan.arch, variant: recipe.variant ?? 'minbase',
    tool: i.plan.bootstrapTool, components: recipe.components ?? ['main'], mirror: i.plan.mirror ?? null, snapshot: recipe.snapshot ?? null,
    packages: [...new Set(recipe.packages ?? [])].sort(),
    updates: i.plan.updates.suites, security: i.plan.updates.securityMirror ?? null,
    lock: i.lock
      ? { epoch: i.lock.archive.sourceDateEpoch ?? null, packages: i.lock.packages.map((p) => `${p.name} ${p.version} ${p.arch} ${p.sha256}`).sort() }
      : null,
    releases: i.lock ? null : i.releases ?? null,
    // Without a lock a cold and a warm build of one archive state share the key: a warm build is always mmdebstrap's
    // (plan.ts), which takes one path either way (the archives decide every version; the cache only seeds .debs and
    // lists), and a cold debootstrap build differs in the tool. So a `--force` rebuild whose archive has not moved
    // restores the rootfs the first build kept.
    from: i.lock ? 'lock' : 'archive',
  });
  return createHash('sha256').update(text).digest('hex');
}

/** An entry found in the cache: where it is and what its finalize step needs. */
export interface RootfsCacheEntry {
  readonly dir: string;
  readonly key: string;
  /** Present: the entry's rootfs.tar is complete (entries appear by rename only). */
  readonly hit: boolean;
  /** The package repository the snapshotted build bootstrapped from (finalize removes the folders it left). */
  readonly finalizeCache: string;
}

/**
 * The entry of `key` under a cache root. `needs` names companions a hit must hold (a `--write-lock` build needs the
 * packages the bootstrap installed): an entry without them is a miss, and the build replaces it.
 */
export function probeRootfsCache(cacheRoot: string, key: string, needs: readonly (typeof ROOTFS_COMPANIONS)[number][] = []): RootfsCacheEntry {
  const dir = join(rootfsCacheRoot(cacheRoot), key);
  const hit = existsSync(join(dir, 'rootfs.tar')) && needs.every((n) => existsSync(join(dir, n)));
  let finalizeCache = '';
  if (hit) { try { finalizeCache = readFileSync(join(dir, 'finalize-cache'), 'utf8'); } catch { /* none: a cold build's */ } }
  return { dir, key, hit, finalizeCache };
}

/** The URLs of the Release files a build without a lock reads: the release, its updates and security suites. */
export function releaseUrls(plan: Pick<Plan, 'recipe' | 'updates'>, releaseMirror: string): string[] {
  const base = (m: string): string => m.replace(/\/+$/u, '');
  const { security } = updateSuites(plan.recipe.distro, plan.recipe.suite);
  return [plan.recipe.suite, ...plan.updates.suites].map((s) => {
    const m = s === security && plan.updates.securityMirror !== undefined ? plan.updates.securityMirror : releaseMirror;
    return `${base(m)}/dists/${s}/InRelease`;
  });
}

/** The Packages indices a build reads from each suite: `COMPONENT/binary-ARCH/Packages` for the recipe's components. */
export function releaseIndexes(plan: Pick<Plan, 'recipe' | 'arch'>): string[] {
  return (plan.recipe.components ?? ['main']).map((c) => `${c}/binary-${plan.arch}/Packages`);
}

/**
 * What a Release file says of `indexes`: its SHA256 lines for them (the index, compressed or not), in its order, or
 * undefined when it lists none of them.
 */
export function indexLines(release: string, indexes: readonly string[]): string[] | undefined {
  const want = new Set(indexes);
  const out: string[] = [];
  let inSha256 = false;
  for (const line of release.split('\n')) {
    if (!line.startsWith(' ')) { inSha256 = line.trimEnd() === 'SHA256:'; continue; }
    if (!inSha256) continue;
    const path = line.trim().split(/\s+/u)[2];
    if (path !== undefined && want.has(path.replace(/\.(?:xz|gz|bz2|lzma|lz4|zst)$/u, ''))) out.push(line.trim());
  }
  return out.length > 0 ? out : undefined;
}

/**
 * The archive's state for a build, a few kilobytes per suite: for each Release file at `urls` (InRelease, else
 * Release), the SHA-256 of its lines for the Packages indices the build reads (`indexes`, see releaseIndexes), or of
 * the whole file when it lists none of them. Not the whole file: a suite's Release file is signed again with a new
 * Date whether or not its packages changed (the security suite's carries a Valid-Until a week ahead, so at least
 * weekly), and a key on its bytes sent every such build back to a full bootstrap; nor another component's or
 * architecture's index.
 * Undefined when one cannot be read (the build then goes without the rootfs cache).
 */
export async function archiveState(urls: readonly string[], indexes: readonly string[], signal?: AbortSignal): Promise<string[] | undefined> {
  const read = async (url: string): Promise<Buffer | undefined> => {
    if (url.startsWith('file:')) {
      try { return readFileSync(fileURLToPath(url)); } catch { return undefined; }
    }
    const s = AbortSignal.any([AbortSignal.timeout(10_000), ...(signal ? [signal] : [])]);
    const res = await fetch(url, { signal: s }).catch(() => undefined);
    if (!res?.ok) return undefined;
    return Buffer.from(await res.arrayBuffer());
  };
  const sums = await Promise.all(urls.map(async (u) => {
    const bytes = (await read(u)) ?? (await read(u.replace(/\/InRelease$/u, '/Release')));
    if (bytes === undefined) return undefined;
    const lines = indexLines(bytes.toString('utf8'), indexes);
    return createHash('sha256').update(lines ? lines.join('\n') : bytes).digest('hex');
  }));
  return sums.every((s): s is string => s !== undefined) ? sums : undefined;
}
