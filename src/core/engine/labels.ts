/**
 * Provenance labels ownbase puts on the images it builds, so an image says where it came from
 * and the tree view can tell owned images from the rest.
 */

/** The image this one is based on (OCI annotation key, used as a label). */
export const LABEL_BASE_NAME = 'org.opencontainers.image.base.name';
/** Path of the recipe (`*.ownbase.yaml`) the image was built from, relative to its workspace. */
export const LABEL_RECIPE_PATH = 'dev.ownbase.recipe.path';
/** sha256 (hex) of the recipe file's bytes at build time. */
export const LABEL_RECIPE_SHA256 = 'dev.ownbase.recipe.sha256';

/** On a runtime image (`needs --image`, `profile: runtime`): its binaries' paths, space-separated. It has no shell. */
export const LABEL_NEEDS_BINARIES = 'ownbase.needs.binaries';
/** On a runtime image: the packages its dpkg metadata (status.d) names, space-separated. */
export const LABEL_NEEDS_PACKAGES = 'ownbase.needs.packages';

export interface Provenance {
  readonly baseName?: string;
  readonly recipePath?: string;
  readonly recipeSha256?: string;
}

/** The labels for a provenance; absent fields give no label. */
export function provenanceLabels(p: Provenance): Record<string, string> {
  const labels: Record<string, string> = {};
  if (p.baseName !== undefined) labels[LABEL_BASE_NAME] = p.baseName;
  if (p.recipePath !== undefined) labels[LABEL_RECIPE_PATH] = p.recipePath;
  if (p.recipeSha256 !== undefined) labels[LABEL_RECIPE_SHA256] = p.recipeSha256;
  return labels;
}

/** Reads the provenance back from an image's labels. */
export function provenanceOf(labels: Readonly<Record<string, string>> | null | undefined): Provenance {
  const l = labels ?? {};
  return {
    ...(l[LABEL_BASE_NAME] !== undefined ? { baseName: l[LABEL_BASE_NAME] } : {}),
    ...(l[LABEL_RECIPE_PATH] !== undefined ? { recipePath: l[LABEL_RECIPE_PATH] } : {}),
    ...(l[LABEL_RECIPE_SHA256] !== undefined ? { recipeSha256: l[LABEL_RECIPE_SHA256] } : {}),
  };
}

/** An image is "owned" when ownbase built it from a recipe. */
export const isOwned = (labels: Readonly<Record<string, string>> | null | undefined): boolean =>
  labels?.[LABEL_RECIPE_PATH] !== undefined;

/** How many packages the release's updates and security suites upgraded when the image was built. */
export const LABEL_UPDATES_APPLIED = 'ownbase.updates.applied';

/**
 * sha256 of a build's inputs (build/inputs.ts: recipe, lock, architecture, plan version): a build whose inputs an
 * image already carries is up to date and runs nothing.
 */
export const LABEL_INPUTS_SHA256 = 'dev.ownbase.inputs.sha256';
/**
 * `skipped` on an image built with `--no-checks`: it carries its inputs but was never checked, so a later build that
 * runs checks does not take it for up to date (engine/import.ts upToDateImage).
 */
export const LABEL_CHECKS = 'dev.ownbase.checks';
export const CHECKS_SKIPPED = 'skipped';
