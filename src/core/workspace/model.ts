import { createHash } from 'node:crypto';
import type { Range } from '../kernel/diagnostic';
import { isOwned } from '../dockerfile/owned';
import { canonicalRepository, splitImageRef } from '../kernel/imageRef';
import { parseDockerfile } from '../dockerfile/model';
import type { OwnedImage } from '../dockerfile/rule';
import { LABEL_RECIPE_PATH, LABEL_RECIPE_SHA256 } from '../engine/labels';
import { ownedImageOf } from '../lint/workspace';
import type { EngineImage } from '../engine/list';

/** A recipe file as read from disk. */
export interface RecipeFile {
  /** Absolute path, `/`-separated. */
  readonly path: string;
  /** Relative to its workspace folder, `/`-separated: what a build started in VS Code puts in the recipe-path label. */
  readonly relPath: string;
  /** The file's bytes: the recipe label's sha256 is of these. */
  readonly bytes: Uint8Array;
}

/** A Dockerfile as read from disk (or from an open editor). */
export interface DockerfileFile {
  readonly path: string;
  readonly relPath: string;
  readonly text: string;
  /** Its FROM lines, when the caller keeps them from an earlier {@link fromUsesOf} (parsed here otherwise). */
  readonly uses?: readonly FromUse[];
}

/** An image as the engine lists it. */
export type ImageInput = EngineImage;

export interface WorkspaceInput {
  readonly recipes: readonly RecipeFile[];
  readonly dockerfiles: readonly DockerfileFile[];
  /** undefined: the engine could not be asked; recipes and Dockerfiles are still shown. */
  readonly images: readonly ImageInput[] | undefined;
  /** `ownbase.ownedImages` patterns. */
  readonly ownedPatterns: readonly string[];
}

/** Not built: no image carries the recipe's label. Unknown: the engine could not be asked. */
export type RecipeState = 'not-built' | 'built' | 'outdated' | 'unknown';

/** One image built from a recipe. */
export interface BuiltImage {
  readonly id: string;
  /** The first 12 hex digits of the id, as `docker images` shows it. */
  readonly shortId: string;
  readonly tags: readonly string[];
  readonly created: number;
  readonly size: number;
  readonly arch?: string;
  /** Bytes more (or fewer, negative) than the previous build of the same recipe; undefined for the first. */
  readonly delta?: number;
  /** The recipe's sha256 when it was built. */
  readonly recipeSha256?: string;
  /** Built from the recipe's current bytes. */
  readonly current: boolean;
}

/** A `FROM` line that names an image. */
export interface FromUse {
  readonly path: string;
  readonly relPath: string;
  /** The image argument's range (0-based). */
  readonly range: Range;
  /** The image as written, e.g. `${BASE}:12`. */
  readonly raw: string;
  /** After the global ARG defaults. */
  readonly image: string;
  readonly stage: number;
}

export interface RecipeEntry {
  readonly path: string;
  readonly relPath: string;
  /** The recipe's `image`; undefined when the file names none (it is broken). */
  readonly image?: string;
  readonly sha256: string;
  readonly state: RecipeState;
  /** Newest first. */
  readonly images: readonly BuiltImage[];
  /** The workspace Dockerfiles whose FROM names the recipe's image (any tag), by file then line. */
  readonly users: readonly FromUse[];
}

export interface BaseImageEntry {
  /** As the FROM lines name it (after ARG defaults), e.g. `gcc:12`. */
  readonly image: string;
  /** A workspace recipe builds it, an `ownbase.ownedImages` pattern matches it, or the local image carries ownbase's label. */
  readonly owned: boolean;
  /** The workspace recipe that builds it. */
  readonly recipePath?: string;
  /** The local image of that name, when the engine has it (`created`: milliseconds since the epoch). */
  readonly local?: { readonly id: string; readonly size: number; readonly created: number };
  /** By file then line. */
  readonly uses: readonly FromUse[];
}

export interface WorkspaceModel {
  /** Biggest newest image first; recipes never built last, by path. */
  readonly recipes: readonly RecipeEntry[];
  /** Biggest local image first, then the most used, then by name. */
  readonly bases: readonly BaseImageEntry[];
  readonly engineReachable: boolean;
}

/** sha256 (hex) of a recipe's bytes, as `ownbase build` labels the image with it. */
export const recipeSha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** `sha256:0123…` → `0123456789ab` */
export const shortImageId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

const normalizeLabelPath = (p: string): string => p.replace(/\\/g, '/').replace(/^(\.\/)+/, '');

/**
 * The recipe an image's recipe-path label points to: the label is relative to the folder the build ran in
 * (the workspace folder for builds started in VS Code), or absolute. An exact match on the workspace-relative
 * or absolute path wins; else the one recipe whose path ends with the label (a CLI build run in a subfolder).
 */
export function recipeForLabel(label: string, recipes: readonly Pick<RecipeFile, 'path' | 'relPath'>[]): string | undefined {
  const l = normalizeLabelPath(label);
  if (l === '') return undefined;
  const exact = recipes.find((r) => r.relPath === l || r.path === l);
  if (exact) return exact.path;
  const suffix = recipes.filter((r) => r.path.endsWith(`/${l}`));
  return suffix.length === 1 ? suffix[0]!.path : undefined;
}

function builtImages(images: readonly ImageInput[], sha256: string): BuiltImage[] {
  const oldestFirst = [...images].sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  const out = oldestFirst.map((img, i): BuiltImage => {
    const sha = img.labels[LABEL_RECIPE_SHA256];
    const previous = i > 0 ? oldestFirst[i - 1] : undefined;
    return {
      id: img.id, shortId: shortImageId(img.id), tags: img.tags, created: img.created, size: img.size,
      ...(img.arch !== undefined && { arch: img.arch }),
      ...(previous !== undefined && { delta: img.size - previous.size }),
      ...(sha !== undefined && { recipeSha256: sha }),
      current: sha === sha256,
    };
  });
  return out.reverse();
}

/** The FROM lines of a Dockerfile that name an image (not scratch, not an earlier stage, no ARG without a default). */
export function fromUsesOf(f: Pick<DockerfileFile, 'path' | 'relPath' | 'text'>): FromUse[] {
  return parseDockerfile(f.text).stages.flatMap((stage): FromUse[] => {
    const from = stage.from;
    if (from.kind !== 'external' || from.resolved === undefined) return [];
    return [{ path: f.path, relPath: f.relPath, range: from.rawRange, raw: from.raw, image: from.resolved, stage: stage.index }];
  });
}

function fromUses(dockerfiles: readonly DockerfileFile[]): FromUse[] {
  return dockerfiles.flatMap((f) => f.uses ?? fromUsesOf(f))
    .sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : a.range.start.line - b.range.start.line));
}

/**
 * The Owned Bases view's data: each recipe with the images built from it (grouped by their recipe-path
 * label) and its state, the Dockerfiles that use it, and every external base image the Dockerfiles start
 * FROM. Pure: the caller reads the files and asks the engine.
 */
export function buildWorkspaceModel(input: WorkspaceInput): WorkspaceModel {
  const images = input.images ?? [];
  const byRecipe = new Map<string, ImageInput[]>();
  for (const img of images) {
    const label = img.labels[LABEL_RECIPE_PATH];
    const recipe = label === undefined ? undefined : recipeForLabel(label, input.recipes);
    if (recipe === undefined) continue;
    const group = byRecipe.get(recipe);
    if (group) group.push(img); else byRecipe.set(recipe, [img]);
  }
  const decoder = new TextDecoder();
  const owned: OwnedImage[] = [];
  const ownedByPath = new Map<string, OwnedImage>();
  for (const r of input.recipes) {
    const o = ownedImageOf(decoder.decode(r.bytes), r.path);
    if (o) { owned.push(o); ownedByPath.set(r.path, o); }
  }
  const uses = fromUses(input.dockerfiles);
  // Which recipe builds each image a FROM names, as recipeFor() decides (same repository, any tag; the first
  // recipe wins), looked up once per distinct image: a workspace has far fewer images than FROM lines.
  const byRepository = new Map<string, OwnedImage>();
  for (const o of owned) {
    const repo = canonicalRepository(splitImageRef(o.image));
    if (!byRepository.has(repo)) byRepository.set(repo, o);
  }
  const recipeOfImage = new Map<string, OwnedImage | undefined>();
  const recipeOf = (image: string): OwnedImage | undefined => {
    if (!recipeOfImage.has(image)) recipeOfImage.set(image, byRepository.get(canonicalRepository(splitImageRef(image))));
    return recipeOfImage.get(image);
  };
  const usersOf = new Map<string, FromUse[]>();
  for (const u of uses) {
    const path = recipeOf(u.image)?.recipePath;
    if (path === undefined) continue;
    const list = usersOf.get(path);
    if (list) list.push(u); else usersOf.set(path, [u]);
  }

  const recipes = input.recipes.map((r): RecipeEntry => {
    const sha256 = recipeSha256(r.bytes);
    const built = builtImages(byRecipe.get(r.path) ?? [], sha256);
    const newest = built[0];
    const state: RecipeState = input.images === undefined ? 'unknown' : newest === undefined ? 'not-built' : newest.current ? 'built' : 'outdated';
    const image = ownedByPath.get(r.path)?.image;
    return {
      path: r.path, relPath: r.relPath, ...(image !== undefined && { image }), sha256, state, images: built,
      users: image === undefined ? [] : usersOf.get(r.path) ?? [],
    };
  });
  recipes.sort((a, b) => (b.images[0]?.size ?? -1) - (a.images[0]?.size ?? -1) || a.relPath.localeCompare(b.relPath));

  const byTag = new Map<string, ImageInput>();
  for (const img of images) for (const t of img.tags) byTag.set(t, img);
  const grouped = new Map<string, FromUse[]>();
  for (const u of uses) {
    const list = grouped.get(u.image);
    if (list) list.push(u); else grouped.set(u.image, [u]);
  }
  const bases = [...grouped].map(([image, list]): BaseImageEntry => {
    const local = byTag.get(image) ?? (image.includes(':') || image.includes('@') ? undefined : byTag.get(`${image}:latest`));
    const recipe = recipeOf(image);
    const labelled = local?.labels[LABEL_RECIPE_PATH] !== undefined;
    return {
      image,
      owned: labelled || isOwned(image, { ownedImages: owned, ownedPatterns: input.ownedPatterns }),
      ...(recipe !== undefined && { recipePath: recipe.recipePath }),
      ...(local !== undefined && { local: { id: local.id, size: local.size, created: local.created } }),
      uses: list,
    };
  });
  bases.sort((a, b) => (b.local?.size ?? -1) - (a.local?.size ?? -1) || b.uses.length - a.uses.length || a.image.localeCompare(b.image));

  return { recipes, bases, engineReachable: input.images !== undefined };
}
