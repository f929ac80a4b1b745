import { ARCHES } from '../kernel/arch';
import { PACKAGE_SPEC } from '../kernel/packageName';
import { serializeRecipe } from '../recipe/serialize';
import { findSuite, suiteLabel, suitesOf } from '../recipe/suites';
import type { Distro, Recipe } from '../recipe/types';

/** One choice of the New Recipe quick picks. */
export interface Choice {
  readonly value: string;
  readonly label: string;
  readonly description?: string;
}

export const DISTRO_CHOICES: readonly Choice[] = [
  { value: 'debian', label: 'debian', description: 'Debian' },
  { value: 'ubuntu', label: 'ubuntu', description: 'Ubuntu' },
];

/** The releases completion offers for a distro (no aliases: a base should not move under you), newest first. */
export const suiteChoices = (distro: Distro): Choice[] =>
  suitesOf(distro).filter((s) => s.current === true && s.alias !== true).map((s) => ({ value: s.name, label: s.name, description: suiteLabel(s) }));

/** Every architecture, the host's first. */
export const archChoices = (hostArch: string): Choice[] =>
  [...ARCHES].sort((a, b) => Number(b.name === hostArch) - Number(a.name === hostArch))
    .map((a) => ({ value: a.name, label: a.name, ...(a.name === hostArch && { description: 'this machine' }) }));

export const VARIANT_CHOICES: readonly Choice[] = [
  { value: 'minbase', label: 'minbase', description: 'Essential packages and apt only (the smallest)' },
  { value: 'buildd', label: 'buildd', description: 'minbase plus build-essential' },
  { value: '-', label: '-', description: 'required and important packages' },
];

/** Splits what the user typed (`curl, ca-certificates tzdata`): the packages, or what is wrong with one. */
export function parsePackageList(text: string): { packages: string[] } | { error: string } {
  const packages = text.split(/[\s,]+/).filter(Boolean);
  const bad = packages.find((p) => !PACKAGE_SPEC.test(p));
  if (bad !== undefined) return { error: `"${bad}" is not a package name (lower-case letters, digits, + - .; optionally :arch and =version)` };
  return { packages: [...new Set(packages)] };
}

export interface NewRecipeChoices {
  readonly distro: Distro;
  readonly suite: string;
  readonly arch: string;
  readonly variant: string;
  readonly packages: readonly string[];
}

/**
 * A recipe from the quick picks' answers: image `owned/<suite>:<version>` (`latest` for unversioned suites),
 * the container-friendly defaults (cmd /bin/bash, LANG C.UTF-8), the file name `<suite>.ownbase.yaml`.
 */
export function newRecipe(c: NewRecipeChoices): { fileName: string; recipe: Recipe; text: string } {
  const version = findSuite(c.suite)?.version ?? 'latest';
  const recipe: Recipe = {
    image: `owned/${c.suite}:${version}`, distro: c.distro, suite: c.suite, arch: c.arch, variant: c.variant,
    components: ['main'],
    ...(c.packages.length > 0 && { packages: [...c.packages] }),
    config: { cmd: ['/bin/bash'], env: { LANG: 'C.UTF-8' } },
  };
  const comment = `${suiteLabel(findSuite(c.suite) ?? { name: c.suite, distro: c.distro })}, ${c.variant}, ${c.arch}. Build it, then: FROM ${recipe.image}`;
  return { fileName: `${c.suite}.ownbase.yaml`, recipe, text: serializeRecipe(recipe, comment) };
}

