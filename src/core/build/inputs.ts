import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The version of what a plan makes of a recipe. Bump it with every change to the plan, its shell
 * programs or the import that changes the image a recipe gives: images labelled with an older one
 * are rebuilt rather than taken as up to date.
 */
export const PLAN_VERSION = 3;

export interface BuildInputs {
  /** sha256 (hex) of the recipe file's bytes. */
  readonly recipeSha256: string;
  /** sha256 (hex) of the lock file's bytes, when the build uses one. */
  readonly lockSha256?: string;
  /** The Debian architecture built (the recipe's, else the host's: a recipe without `arch` gives different images on different hosts). */
  readonly arch: string;
  readonly planVersion?: number;
  /**
   * A runtime image's own inputs: the version of its staging (elf/image.ts `STAGE_VERSION`) and the sha256 of each
   * binary taken from outside the root (beside the recipe or out of a Dockerfile stage), by its path in the image.
   */
  readonly runtime?: { readonly stageVersion: number; readonly binaries: Readonly<Record<string, string>> };
}

/**
 * The hash of everything that decides the image (the `dev.ownbase.inputs.sha256` label): the recipe, the lock,
 * the architecture and the plan version (and a runtime image's binaries). A build whose hash an image already carries has nothing to do.
 * Without a lock the archive may have moved on since; `--force` rebuilds, `ownbase outdated` tells.
 */
export function inputsSha256(i: BuildInputs): string {
  const text = JSON.stringify({
    plan: i.planVersion ?? PLAN_VERSION, recipe: i.recipeSha256, lock: i.lockSha256 ?? null, arch: i.arch,
    ...(i.runtime && { runtime: { stage: i.runtime.stageVersion, binaries: Object.entries(i.runtime.binaries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) } }),
  });
  return createHash('sha256').update(text).digest('hex');
}

/** Where the cache root keeps what a build measured of an image (the gzip-6 layer size) for its up-to-date rebuilds. */
const imageRecord = (cacheRoot: string, id: string): string => join(cacheRoot, 'images', `${id.replace(/^sha256:/, '')}.json`);

/** Keeps the layer's gzip-6 size of image `id`, measured when it was built; best effort. */
export function recordLayerGzipSize(cacheRoot: string, id: string, layerGzipSize: number): void {
  try {
    const file = imageRecord(cacheRoot, id);
    mkdirSync(join(cacheRoot, 'images'), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify({ layerGzipSize }));
    renameSync(`${file}.tmp`, file);
  } catch { /* an up-to-date rebuild then reports 0 */ }
}

/** The layer's gzip-6 size recorded when image `id` was built; 0 when none was. */
export function recordedLayerGzipSize(cacheRoot: string, id: string): number {
  try {
    const n = (JSON.parse(readFileSync(imageRecord(cacheRoot, id), 'utf8')) as { layerGzipSize?: unknown }).layerGzipSize;
    return Number.isSafeInteger(n) && (n as number) >= 0 ? n as number : 0;
  } catch {
    return 0;
  }
}
