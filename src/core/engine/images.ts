import type Dockerode from 'dockerode';
import { explainEngineError } from './connect';
import { isOwned, LABEL_RECIPE_PATH, provenanceOf, type Provenance } from './labels';

/** Tags importRootfs uses while an import is in flight; never shown. */
export const TEMP_TAG_PREFIX = 'ownbase-tmp/';

export interface ImageSummary {
  /** `sha256:<hex>` */
  readonly id: string;
  /** `name:tag` list; empty for a dangling image. */
  readonly tags: readonly string[];
  readonly created: Date;
  /** Bytes, as `docker images` shows them. */
  readonly size: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Built by ownbase from a recipe (has the recipe label). */
  readonly owned: boolean;
  readonly provenance: Provenance;
}

export interface ListImagesOptions {
  /** Only images ownbase built (those with the recipe-path label). */
  readonly ownedOnly?: boolean;
}

/** Images in the engine, newest first, without ownbase's in-flight temporary tags. */
export async function listImages(docker: Dockerode, opts: ListImagesOptions = {}): Promise<ImageSummary[]> {
  let raw: Dockerode.ImageInfo[];
  try {
    raw = await docker.listImages(opts.ownedOnly ? { filters: JSON.stringify({ label: [LABEL_RECIPE_PATH] }) } : {});
  } catch (err) {
    throw explainEngineError(docker, err, 'Listing images');
  }
  const out: ImageSummary[] = [];
  for (const i of raw) {
    const all = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
    const tags = all.filter((t) => !t.startsWith(TEMP_TAG_PREFIX));
    if (all.length > 0 && tags.length === 0) continue;
    const labels = i.Labels ?? {};
    out.push({ id: i.Id, tags, created: new Date(i.Created * 1000), size: i.Size, labels, owned: isOwned(labels), provenance: provenanceOf(labels) });
  }
  return out.sort((a, b) => b.created.getTime() - a.created.getTime() || a.id.localeCompare(b.id));
}

export interface HistoryEntry {
  /** Image id of the step, when the engine still has it (`<missing>` otherwise → undefined). */
  readonly id?: string;
  readonly created: Date;
  readonly createdBy: string;
  readonly size: number;
  readonly comment: string;
  readonly tags: readonly string[];
}

/** `docker history`: the image's steps, newest first. */
export async function imageHistory(docker: Dockerode, image: string): Promise<HistoryEntry[]> {
  let raw: { Id: string; Created: number; CreatedBy: string; Size: number; Comment: string; Tags: string[] | null }[];
  try {
    raw = await docker.getImage(image).history() as typeof raw;
  } catch (err) {
    throw explainEngineError(docker, err, `docker history of ${image}`);
  }
  return raw.map((h) => ({
    ...(h.Id && h.Id !== '<missing>' ? { id: h.Id } : {}),
    created: new Date(h.Created * 1000),
    createdBy: h.CreatedBy,
    size: h.Size,
    comment: h.Comment,
    tags: h.Tags ?? [],
  }));
}

export interface ImageDetails {
  readonly id: string;
  readonly tags: readonly string[];
  readonly created: Date;
  readonly size: number;
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly env: readonly string[];
  readonly workdir?: string;
  readonly user?: string;
  readonly exposedPorts: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly owned: boolean;
  readonly provenance: Provenance;
}

/** `docker inspect` of an image, reduced to what ownbase shows. */
export async function inspectImage(docker: Dockerode, image: string): Promise<ImageDetails> {
  let i: Dockerode.ImageInspectInfo & { Variant?: string };
  try {
    i = await docker.getImage(image).inspect();
  } catch (err) {
    throw explainEngineError(docker, err, `docker inspect of ${image}`);
  }
  const c = i.Config;
  const labels = c.Labels ?? {};
  return {
    id: i.Id,
    tags: i.RepoTags ?? [],
    created: new Date(i.Created),
    size: i.Size,
    os: i.Os,
    architecture: i.Architecture,
    ...(i.Variant ? { variant: i.Variant } : {}),
    ...(c.Cmd ? { cmd: c.Cmd } : {}),
    ...(c.Entrypoint ? { entrypoint: typeof c.Entrypoint === 'string' ? [c.Entrypoint] : c.Entrypoint } : {}),
    env: c.Env ?? [],
    ...(c.WorkingDir ? { workdir: c.WorkingDir } : {}),
    ...(c.User ? { user: c.User } : {}),
    exposedPorts: Object.keys(c.ExposedPorts ?? {}).sort(),
    labels,
    owned: isOwned(labels),
    provenance: provenanceOf(labels),
  };
}
