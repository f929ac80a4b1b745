import { posix } from 'node:path';
import { serializeRecipe } from '../recipe/serialize';
import type { Distro, Recipe, RuntimeBinary } from '../recipe/types';
import type { NeedsReport } from './needs';
import type { RootFs } from './root';

/** The release a root is, from its `/etc/os-release` (`ID`, `VERSION_CODENAME`); undefined when it names none ownbase builds. */
export function releaseOfRoot(root: RootFs): { distro: Distro; suite: string } | undefined {
  const text = root.read('/etc/os-release')?.toString('utf8') ?? root.read('/usr/lib/os-release')?.toString('utf8');
  if (text === undefined) return undefined;
  const field = (k: string): string | undefined => new RegExp(`^${k}=["']?([^"'\\n]*)["']?$`, 'mu').exec(text)?.[1];
  const id = field('ID');
  const suite = field('VERSION_CODENAME') ?? /\((\w+)/u.exec(field('VERSION') ?? '')?.[1]?.toLowerCase();
  if ((id !== 'debian' && id !== 'ubuntu') || suite === undefined || suite === '') return undefined;
  return { distro: id, suite };
}

export interface RuntimeRecipeOptions {
  readonly image: string;
  readonly distro: Distro;
  readonly suite: string;
  /** The binaries as the recipe names them (relative to its folder, or absolute in the root), in the report's order. */
  readonly binaries: readonly RuntimeBinary[];
  readonly with: readonly string[];
  readonly user: string;
}

/**
 * A `profile: runtime` recipe of what the report found: the packages the needed files come from (and the `with`
 * ones) installed in the root it is built from, the binaries, the user. Throws when a binary could not be read or
 * a library is missing: such a recipe could not build.
 */
export function runtimeRecipeOf(report: NeedsReport, opts: RuntimeRecipeOptions): Recipe {
  const bad = report.binaries.find((b) => b.error !== undefined);
  if (bad) throw new Error(`${bad.path}: ${bad.error}`);
  const missing = report.binaries.find((b) => b.missing.length > 0);
  if (missing) throw new Error(`${missing.path}: ${missing.missing[0]!.soname} is missing from the root`);
  const arch = report.binaries.find((b) => b.arch !== undefined)?.arch;
  const packages = [...new Set([...report.packages.map((p) => p.name), ...report.binaries.flatMap((b) => (b.package !== undefined ? [b.package] : [])), ...opts.with])].sort();
  return {
    image: opts.image,
    distro: opts.distro,
    suite: opts.suite,
    ...(arch !== undefined && { arch }),
    profile: 'runtime',
    ...(packages.length > 0 && { packages }),
    runtime: {
      binaries: opts.binaries,
      ...(opts.with.length > 0 && { with: opts.with }),
      user: opts.user,
    },
  };
}

/** The recipe as YAML, headed by how it was made. */
export function runtimeRecipeText(recipe: Recipe, made: string): string {
  return serializeRecipe(recipe, `A runtime image: only what ${recipe.runtime?.binaries.map((b) => posix.basename(b.path)).join(', ') ?? 'its binaries'} need${recipe.runtime?.binaries.length === 1 ? 's' : ''}, found by ${made}. ownbase build builds it from a root bootstrapped with these packages.`);
}

/** Where a recipe's binary goes in the image: `to`, else /usr/local/bin/NAME for a file beside the recipe, else its own path. */
export function runtimeDestination(b: RuntimeBinary): string {
  return b.to ?? (b.path.startsWith('/') && b.stage === undefined ? b.path : `/usr/local/bin/${posix.basename(b.path)}`);
}
