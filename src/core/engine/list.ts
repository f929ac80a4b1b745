import type Dockerode from 'dockerode';
import { explainEngineError } from './connect';
import { LABEL_RECIPE_PATH } from './labels';

/** An image as the engine lists it, with what the Owned Bases view shows of it. */
export interface EngineImage {
  /** `sha256:<hex>` */
  readonly id: string;
  /** `name:tag` list, without `<none>:<none>` and ownbase's in-flight `ownbase-tmp/` tags. */
  readonly tags: readonly string[];
  /** Milliseconds since the epoch. */
  readonly created: number;
  /** Bytes, as `docker images` shows them. */
  readonly size: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Architecture from `docker inspect`: only looked up for images ownbase built (they carry the recipe label). */
  readonly arch?: string;
}

/** importRootfs loads under this prefix before it tags the final name; such an image is not shown. */
const IN_FLIGHT_TAG = 'ownbase-tmp/';

/**
 * Every image in the engine; images ownbase built are inspected for their architecture (once per id when the
 * caller keeps `archOf` between calls: an image's architecture never changes). An image whose only tags are
 * in-flight import tags is left out.
 */
export async function listEngineImages(docker: Dockerode, archOf: Map<string, string> = new Map()): Promise<EngineImage[]> {
  let raw: Dockerode.ImageInfo[];
  try {
    raw = await docker.listImages();
  } catch (err) {
    throw explainEngineError(docker, err, 'Listing images');
  }
  const images = raw.flatMap((i): EngineImage[] => {
    const all = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
    const tags = all.filter((t) => !t.startsWith(IN_FLIGHT_TAG));
    if (all.length > 0 && tags.length === 0) return [];
    return [{ id: i.Id, tags, created: i.Created * 1000, size: i.Size, labels: i.Labels ?? {} }];
  });
  return Promise.all(images.map(async (img) => {
    if (img.labels[LABEL_RECIPE_PATH] === undefined) return img;
    // Removed between the list and the inspect: shown without an architecture until the next refresh.
    const arch = archOf.get(img.id) ?? await docker.getImage(img.id).inspect().then((d) => d.Architecture, () => undefined);
    if (arch) archOf.set(img.id, arch);
    return arch ? { ...img, arch } : img;
  }));
}

export interface EngineVersion {
  readonly version: string;
  readonly apiVersion: string;
  readonly os: string;
  readonly arch: string;
}

/** `docker version` of the engine. */
export async function engineVersion(docker: Dockerode): Promise<EngineVersion> {
  try {
    const v = await docker.version();
    return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
  } catch (err) {
    throw explainEngineError(docker, err, 'docker version');
  }
}

/** Image events that change what the view lists. */
export const IMAGE_ACTIONS = ['import', 'load', 'tag', 'untag', 'delete'] as const;
export type ImageAction = (typeof IMAGE_ACTIONS)[number];

export interface ImageEvent {
  readonly action: ImageAction;
  /** The image id (`sha256:…`), or the name for some actions. */
  readonly id: string;
  /** The name the action was about (`tag`, `untag`), when the engine says. */
  readonly name?: string;
}

export interface EventWatch {
  /** Resolves when the stream ends: with the error when the engine went away, undefined after `close()`. */
  readonly ended: Promise<Error | undefined>;
  close(): void;
}

/** One line of the engine's event stream, or undefined when it is not an image event the view cares about. */
export function parseImageEvent(line: string): ImageEvent | undefined {
  let e: unknown;
  try { e = JSON.parse(line); } catch { return undefined; }
  if (typeof e !== 'object' || e === null) return undefined;
  const { Type, Action, Actor, id } = e as { Type?: unknown; Action?: unknown; Actor?: { ID?: unknown; Attributes?: Record<string, unknown> }; id?: unknown };
  if (Type !== 'image' || !(IMAGE_ACTIONS as readonly unknown[]).includes(Action)) return undefined;
  const actorId = typeof Actor?.ID === 'string' ? Actor.ID : typeof id === 'string' ? id : '';
  const name = Actor?.Attributes?.['name'];
  return { action: Action as ImageAction, id: actorId, ...(typeof name === 'string' && { name }) };
}

/**
 * Follows the engine's image events (import, load, tag, untag, delete) until `close()` or until the
 * engine goes away. Rejects when the stream cannot be opened (engine unreachable).
 */
export async function watchImageEvents(docker: Dockerode, onEvent: (e: ImageEvent) => void): Promise<EventWatch> {
  const abort = new AbortController();
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.getEvents({ filters: { type: ['image'], event: [...IMAGE_ACTIONS] }, abortSignal: abort.signal } as Dockerode.GetEventsOptions);
  } catch (err) {
    throw explainEngineError(docker, err, 'Following engine events');
  }
  let closed = false;
  const ended = new Promise<Error | undefined>((resolve) => {
    let rest = '';
    stream.on('data', (chunk: Buffer | string) => {
      rest += chunk.toString();
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) {
        const e = l.trim() === '' ? undefined : parseImageEvent(l);
        if (e) onEvent(e);
      }
    });
    stream.on('error', (err: Error) => resolve(closed ? undefined : explainEngineError(docker, err) as Error));
    stream.on('end', () => resolve(closed ? undefined : new Error('The engine closed its event stream')));
    stream.on('close', () => resolve(closed ? undefined : new Error('The engine closed its event stream')));
  });
  return {
    ended,
    close: () => {
      if (closed) return;
      closed = true;
      abort.abort();
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    },
  };
}

/**
 * `docker rmi` of one image: each of its tags (untagging the last deletes it), or its id when it has none.
 * Never forced: an image a container uses stays, and the engine's refusal is the error.
 */
export async function removeImage(docker: Dockerode, image: Pick<EngineImage, 'id' | 'tags'>): Promise<void> {
  const refs = image.tags.length > 0 ? image.tags : [image.id];
  for (const ref of refs) {
    try {
      await docker.getImage(ref).remove();
    } catch (err) {
      throw explainEngineError(docker, err, `Removing ${ref}`);
    }
  }
}
