import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import * as tar from 'tar-stream';
import type { Platform } from '../kernel/arch';

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface Descriptor {
  readonly mediaType: string;
  /** `sha256:<hex>` */
  readonly digest: string;
  readonly size: number;
}

export interface ArchiveInput {
  /** Full name with tag (`owned/focal:20.04`), written to manifest.json's RepoTags and index.json. */
  readonly tag: string;
  readonly platform: Platform;
  /** The image config's exact bytes. */
  readonly config: Buffer;
  /** The layer blob: an uncompressed or gzip tar on disk. */
  readonly layer: Descriptor & { readonly file: string };
  /** Entry mtime, so equal inputs give equal archives. */
  readonly mtime: Date;
}

const blobPath = (digest: string): string => `blobs/${digest.replace(':', '/')}`;

/** The OCI image manifest for one config and one layer. */
export function ociManifest(config: Descriptor, layer: Descriptor): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
  }));
}

/**
 * An image archive that is both an OCI image layout (oci-layout, index.json, blobs/sha256/…) and a
 * docker-archive (manifest.json pointing at the same blobs), so every `docker load` accepts it:
 * older engines read manifest.json, OCI tools read index.json. Streams the layer from disk.
 */
export function packImageArchive(input: ArchiveInput, digestOf: (b: Buffer) => string): tar.Pack {
  const pack = tar.pack();
  // Consumers see errors through their reads; an unheard 'error' would be thrown by streamx.
  pack.on('error', () => undefined);
  const configDesc: Descriptor = { mediaType: MEDIA_TYPES.config, digest: digestOf(input.config), size: input.config.length };
  const manifest = ociManifest(configDesc, input.layer);
  const manifestDesc: Descriptor = { mediaType: MEDIA_TYPES.manifest, digest: digestOf(manifest), size: manifest.length };
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: [{
      ...manifestDesc,
      platform: { architecture: input.platform.architecture, os: input.platform.os, ...(input.platform.variant !== undefined ? { variant: input.platform.variant } : {}) },
      annotations: { 'org.opencontainers.image.ref.name': input.tag },
    }],
  }));
  const dockerManifest = Buffer.from(JSON.stringify([
    { Config: blobPath(configDesc.digest), RepoTags: [input.tag], Layers: [blobPath(input.layer.digest)] },
  ]));
  const mtime = input.mtime;
  const file = (name: string, body: Buffer): [tar.Header['name'], Buffer] => [name, body];
  const small = [
    file('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }))),
    file('index.json', index),
    file('manifest.json', dockerManifest),
    file(blobPath(configDesc.digest), input.config),
    file(blobPath(manifestDesc.digest), manifest),
  ];
  void (async () => {
    try {
      for (const dir of ['blobs/', 'blobs/sha256/']) await add(pack, { name: dir, type: 'directory', mode: 0o755, mtime });
      for (const [name, body] of small) await add(pack, { name, mode: 0o644, mtime }, body);
      let sink!: ReturnType<tar.Pack['entry']>;
      const done = new Promise<void>((resolve, reject) => {
        sink = pack.entry({ name: blobPath(input.layer.digest), mode: 0o644, mtime, size: input.layer.size }, (err) => (err ? reject(err) : resolve()));
        sink.on('error', () => undefined);
      });
      done.catch(() => undefined);
      for await (const chunk of createReadStream(input.layer.file, { highWaterMark: 1 << 20 })) {
        if (!sink.write(chunk as Buffer)) await Promise.race([once(sink, 'drain'), done]);
      }
      sink.end(undefined);
      await done;
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  return pack;
}

function add(pack: tar.Pack, header: Partial<tar.Header> & { name: string }, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
    const sink = body !== undefined ? pack.entry(header, body, cb) : pack.entry(header, cb);
    sink.on('error', () => undefined);
  });
}
