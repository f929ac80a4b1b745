import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Dockerode from 'dockerode';
import type { ImageConfig } from '../recipe/types';
import { MEDIA_TYPES, packImageArchive } from './archive';
import { assertEngineReachable, explainEngineError } from './connect';
import { containerConfig, imageConfigJson } from './imageConfig';
import { writeLayer, writeLayerFile } from './layer';
import { platformOf, type Platform } from '../kernel/arch';
import { formatTagName, parseTagName } from '../kernel/imageRef';
import { CHECKS_SKIPPED, LABEL_CHECKS, LABEL_INPUTS_SHA256 } from './labels';

export interface ImportRequest {
  /** The root filesystem directory. */
  rootfs: string;
  /** Final image name, `name[:tag]`. */
  tag: string;
  /** Debian architecture: amd64, arm64, armhf, … */
  arch: string;
  config: ImageConfig;
  /** Merged over `config.labels` (provenance labels win). */
  labels: Record<string, string>;
  signal?: AbortSignal;
  /** Running total of rootfs tar bytes written; the engine's load follows, unreported. */
  onProgress?: (bytes: number) => void;
  /**
   * SOURCE_DATE_EPOCH (seconds): the image's `created` and history time, and the latest mtime in its layer. The
   * same rootfs and config then give the same layer digest and image ID, however much later. Default: now, unclamped.
   */
  sourceDateEpoch?: number;
  /** The image's creation time when no sourceDateEpoch is given; default now. */
  created?: Date;
  /**
   * Where importRootfs writes the layer tar (as big as the rootfs) while it loads; default the OS
   * temp folder. writeOciArchive always works next to its output.
   */
  workDir?: string;
}

export interface ImportResult {
  /** `sha256:<hex>` image id. */
  id: string;
  /** The final name, with its tag (`latest` added when none was given). */
  tag: string;
  /** Bytes, as `docker images` reports them. */
  size: number;
  /**
   * gzip -6 of the layer tar, as a registry stores it (Node's zlib: within 0.5 % of GNU gzip -6,
   * which builds its matches slightly differently).
   */
  layerGzipSize: number;
}

const createdOf = (req: Pick<ImportRequest, 'sourceDateEpoch' | 'created'>): Date =>
  (req.sourceDateEpoch !== undefined ? new Date(req.sourceDateEpoch * 1000) : req.created ?? new Date());
const clampOf = (req: Pick<ImportRequest, 'sourceDateEpoch'>): { clampMtime?: number } => (req.sourceDateEpoch !== undefined ? { clampMtime: req.sourceDateEpoch } : {});

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Prepared {
  readonly ref: string;
  readonly platform: Platform;
}

/** Validates everything that can be checked before any work, so bad input fails in milliseconds. */
async function prepare(rootfs: string, req: Omit<ImportRequest, 'rootfs'>): Promise<Prepared> {
  const ref = formatTagName(parseTagName(req.tag));
  const platform = platformOf(req.arch);
  containerConfig(req.config, req.labels);
  const st = await stat(rootfs).catch(() => undefined);
  if (!st?.isDirectory()) throw new Error(`The root filesystem ${rootfs} is not a directory`);
  return { ref, platform };
}

function configBytes(req: Omit<ImportRequest, 'rootfs'>, platform: Platform, diffId: string, created: Date): Buffer {
  return Buffer.from(JSON.stringify(imageConfigJson({ platform, config: req.config, labels: req.labels, diffId, created })));
}

/**
 * Imports a root filesystem into the engine as a one-layer image with the recipe's architecture
 * and config (what `tar -C DIR -c . | docker import` does, but with a real platform, which this
 * engine's import ignores). The rootfs is tarred to a temp file, loaded under a unique temporary
 * tag, and only then tagged with the final name; on failure or abort nothing is left behind.
 */
export async function importRootfs(docker: Dockerode, req: ImportRequest): Promise<ImportResult> {
  const { signal } = req;
  signal?.throwIfAborted();
  const { ref, platform } = await prepare(req.rootfs, req);
  await assertEngineReachable(docker);
  const work = await mkdtemp(join(req.workDir ?? tmpdir(), 'ownbase-import-'));
  const tmpTag = `ownbase-tmp/${randomBytes(8).toString('hex')}:import`;
  let loadStarted = false;
  try {
    const layerFile = join(work, 'layer.tar');
    // The compressed size is counted trailing the walk and during the load (two cores, two jobs).
    const layer = await writeLayerFile(req.rootfs, layerFile, { signal, onProgress: req.onProgress, ...clampOf(req) });
    const gzip = layer.gzip;
    const created = createdOf(req);
    const config = configBytes(req, platform, layer.diffId, created);
    const archive = packImageArchive({
      tag: tmpTag, platform, config, mtime: created,
      layer: { file: layerFile, digest: layer.diffId, size: layer.size, mediaType: MEDIA_TYPES.layerTar },
    }, sha256);
    loadStarted = true;
    await loadArchive(docker, Readable.from(archive, { objectMode: false }), signal);
    const { size: layerGzipSize } = await gzip;
    signal?.throwIfAborted();
    const loaded = await docker.getImage(tmpTag).inspect();
    if (loaded.Id !== sha256(config)) throw new Error(`docker load produced image ${loaded.Id}, expected ${sha256(config)}`);
    const { repo, tag } = parseTagName(ref);
    await docker.getImage(loaded.Id).tag({ repo, tag });
    const final = await docker.getImage(ref).inspect();
    return { id: final.Id, tag: ref, size: final.Size, layerGzipSize };
  } catch (err) {
    throw explainEngineError(docker, err, `Import of ${req.tag}`);
  } finally {
    if (loadStarted) await untag(docker, tmpTag);
    await rm(work, { recursive: true, force: true });
  }
}

/** Removes a tag; the image goes too when nothing else references it. Missing is fine. */
async function untag(docker: Dockerode, tag: string): Promise<void> {
  // Best effort: the import's own outcome (or error) matters more than this clean-up's.
  await docker.getImage(tag).remove().catch(() => undefined);
}

/**
 * `docker load` of an archive stream. An abort while uploading cuts the upload (the engine then
 * loads nothing); once the whole archive is sent the engine is committed, so the load is awaited
 * and the caller cleans up what it created.
 */
async function loadArchive(docker: Dockerode, body: Readable, signal?: AbortSignal): Promise<void> {
  let uploaded = false;
  body.once('end', () => { uploaded = true; });
  // The request reports a failed upload; the body may be destroyed before the request listens.
  body.on('error', () => undefined);
  const onAbort = (): void => { if (!uploaded) body.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted')); };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await docker.loadImage(body, { quiet: true });
    let text = '';
    for await (const chunk of res as AsyncIterable<Buffer | string>) text += chunk.toString();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let msg: { error?: string; errorDetail?: { message?: string } };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        continue;
      }
      if (msg.error !== undefined || msg.errorDetail !== undefined) {
        throw new Error(`docker load failed: ${msg.errorDetail?.message ?? msg.error ?? 'unknown error'}`);
      }
    }
  } catch (err) {
    if (signal?.aborted && !uploaded) throw signal.reason instanceof Error ? signal.reason : err;
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Writes the rootfs as an image archive without an engine: an OCI image layout that is also a
 * docker-archive, so `docker load -i` (any version) and OCI tools accept it. The layer is stored
 * gzip-6 compressed, as a registry would. `out` appears only when complete.
 */
export async function writeOciArchive(rootfsDir: string, out: string, req: Omit<ImportRequest, 'rootfs'>): Promise<{ path: string; size: number; layerGzipSize: number }> {
  const { signal } = req;
  signal?.throwIfAborted();
  const { ref, platform } = await prepare(rootfsDir, req);
  const path = resolve(out);
  await mkdir(dirname(path), { recursive: true });
  const work = await mkdtemp(join(dirname(path), '.ownbase-oci-'));
  try {
    const gzFile = join(work, 'layer.tar.gz');
    const layer = await writeLayer(rootfsDir, { gzipFile: gzFile, signal, onProgress: req.onProgress, ...clampOf(req) });
    const gz = layer.gzip!;
    const created = createdOf(req);
    const config = configBytes(req, platform, layer.diffId, created);
    const archive = packImageArchive({
      tag: ref, platform, config, mtime: created,
      layer: { file: gzFile, digest: gz.digest, size: gz.size, mediaType: MEDIA_TYPES.layerGzip },
    }, sha256);
    const tmpOut = join(work, 'image.tar');
    await pipeline(Readable.from(archive, { objectMode: false }), createWriteStream(tmpOut), { signal });
    await rename(tmpOut, path);
    return { path, size: (await stat(path)).size, layerGzipSize: gz.size };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface UpToDateImage {
  readonly id: string;
  /** The final name, with its tag. */
  readonly tag: string;
  readonly size: number;
  /** `sha256:` of the image's one layer. */
  readonly layerDigest?: string;
  /** The name was moved onto an image with the same inputs (it had another name, or none). */
  readonly retagged: boolean;
}

/**
 * An image built from the same inputs (its `dev.ownbase.inputs.sha256` label is `inputs`) that has a name `reusable`
 * accepts (a build gives its final names only to images whose checks passed), named `tag`: the one named so already,
 * else the newest other such image, which gets the name. An image with no name, or only names `reusable` refuses
 * (a `-failed` one, a build's pending one), never counts; nor, when `checked`, one built with `--no-checks`.
 * Undefined when there is none.
 */
export async function upToDateImage(docker: Dockerode, inputs: string, tag: string, reusable: (ref: string) => boolean = () => true, checked = false): Promise<UpToDateImage | undefined> {
  const ref = formatTagName(parseTagName(tag));
  const all = await docker.listImages({ filters: { label: [`${LABEL_INPUTS_SHA256}=${inputs}`] } });
  const found = all.filter((i) => (i.RepoTags ?? []).some((t) => t !== '<none>:<none>' && reusable(t))
    && !(checked && i.Labels?.[LABEL_CHECKS] === CHECKS_SKIPPED));
  if (found.length === 0) return undefined;
  const named = found.find((i) => (i.RepoTags ?? []).includes(ref));
  const pick = named ?? [...found].sort((a, b) => b.Created - a.Created)[0]!;
  if (named === undefined) {
    const { repo, tag: t } = parseTagName(ref);
    await docker.getImage(pick.Id).tag({ repo, tag: t });
  }
  const info = await docker.getImage(pick.Id).inspect();
  const layer = info.RootFS?.Layers?.[0];
  return { id: info.Id, tag: ref, size: info.Size, ...(layer !== undefined && { layerDigest: layer }), retagged: named === undefined };
}
