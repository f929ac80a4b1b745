import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePackageSpec } from '../kernel/packageName';
import type { Recipe } from '../recipe/types';

/** Where the cache of downloaded packages of one distro/suite/arch lives under the cache root. */
export function cacheDirFor(root: string, recipe: Pick<Recipe, 'distro' | 'suite'>, arch: string): string {
  return join(root, recipe.distro, recipe.suite, arch);
}

export interface CacheProbe {
  readonly dir: string;
  /** Every package the recipe needs is in the cache: the build can install from it alone. */
  readonly warm: boolean;
  /** Why not warm, in words. */
  readonly reason?: string;
}

/** Package names a Packages file lists. */
export function packageNames(packagesText: string): Set<string> {
  const names = new Set<string>();
  for (const m of packagesText.matchAll(/^Package: (\S+)$/gm)) names.add(m[1]!);
  return names;
}

/**
 * Whether a cache whose repository lists `names` and holds the `variants` completely covers a
 * recipe: its variant's package set and each of its packages (with their dependencies, cached with
 * them).
 */
export function cacheCovers(names: ReadonlySet<string>, variants: readonly string[], recipe: Pick<Recipe, 'variant' | 'packages'>): { ok: boolean; reason?: string } {
  const variant = recipe.variant ?? 'minbase';
  if (!variants.includes(variant)) return { ok: false, reason: `no ${variant} build cached yet` };
  const missing = (recipe.packages ?? []).map((p) => parsePackageSpec(p).name).filter((n) => !names.has(n));
  if (missing.length > 0) return { ok: false, reason: `not cached yet: ${missing.join(', ')}` };
  return { ok: true };
}

/** Reads the cache of a recipe (the files CACHE_SAVE writes). */
export function probeCache(root: string, recipe: Recipe, arch: string): CacheProbe {
  const dir = cacheDirFor(root, recipe, arch);
  const packages = join(dir, 'dists', recipe.suite, 'main', `binary-${arch}`, 'Packages');
  const release = join(dir, 'dists', recipe.suite, 'Release');
  if (![packages, release, join(dir, 'sources.list'), join(dir, 'variants')].every((p) => existsSync(p))) {
    return { dir, warm: false, reason: 'nothing cached yet' };
  }
  const variants = readFileSync(join(dir, 'variants'), 'utf8').split('\n').filter(Boolean);
  const covered = cacheCovers(packageNames(readFileSync(packages, 'utf8')), variants, recipe);
  return { dir, warm: covered.ok, ...(covered.reason !== undefined && { reason: covered.reason }) };
}
