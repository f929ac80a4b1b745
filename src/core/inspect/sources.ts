import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { EngineEndpoint } from '../engine/endpoint';
import { openStoredImage } from '../engine/layerStore';
import { openSaveStream } from '../engine/saveStream';
import { packTree } from '../engine/tarWalk';
import { scanImageArchive } from './imageArchive';
import { scanLayer, type LayerScan, type ScanOptions } from './layerScan';
import { FsTree } from './tree';

/** What can be inspected. */
export type InspectSource =
  | { readonly kind: 'folder'; readonly path: string }
  | { readonly kind: 'archive'; readonly path: string }
  | { readonly kind: 'image'; readonly ref: string }
  | { readonly kind: 'container'; readonly id: string };

/** A source that cannot be read, with the reason (the CLI exits 2 with it). */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/**
 * A source from the command line: `folder:PATH`, `archive:PATH`, `image:REF`, `container:ID`, or
 * without a prefix an existing folder, an existing file (an archive), else an image reference.
 */
export function parseSource(spec: string, cwd: string): InspectSource {
  const m = /^(folder|dir|archive|image|container):(.+)$/.exec(spec);
  if (m) {
    const v = m[2]!;
    switch (m[1]) {
      case 'folder': case 'dir': return { kind: 'folder', path: resolve(cwd, v) };
      case 'archive': return { kind: 'archive', path: resolve(cwd, v) };
      case 'image': return { kind: 'image', ref: v };
      default: return { kind: 'container', id: v };
    }
  }
  const st = (() => { try { return statSync(resolve(cwd, spec)); } catch { return undefined; } })();
  if (st?.isDirectory()) return { kind: 'folder', path: resolve(cwd, spec) };
  if (st?.isFile()) return { kind: 'archive', path: resolve(cwd, spec) };
  if (spec.startsWith('.') || spec.startsWith('/')) throw new SourceError(`${spec}: no such folder or archive`);
  return { kind: 'image', ref: spec };
}

export function describeSource(s: InspectSource): string {
  switch (s.kind) {
    case 'folder': return `folder:${s.path}`;
    case 'archive': return `archive:${s.path}`;
    case 'image': return `image:${s.ref}`;
    case 'container': return `container:${s.id}`;
  }
}

/** The database and release files whose bytes the inspector reads. */
const KEEP = /^(?:var\/lib\/dpkg\/(?:status|diversions|status\.d\/[^/]+|info\/[^/]+\.(?:list|md5sums|conffiles|postrm))|etc\/os-release|usr\/lib\/os-release|lib\/apk\/db\/installed|etc\/apk\/world)$/;
export const keepContent = (path: string): boolean => KEEP.test(path);

export interface ReadSourceOptions {
  /** The engine client, for images and containers. */
  readonly docker?: () => Dockerode;
  /**
   * Where that engine listens, when known: an image on a local socket is then read without the client
   * (see openSaveStream); the client stays the way for everything else and for every error.
   */
  readonly endpoint?: EngineEndpoint;
  /**
   * Turns an engine failure into the user's words: src/core/engine/connect's explainEngineError,
   * passed in so that this module does not load the engine client (the extension requires it apart).
   */
  readonly explain?: (docker: Dockerode, err: unknown) => unknown;
  readonly signal?: AbortSignal;
  /** How the compressed size is had: every byte compressed (default) or estimated from samples. */
  readonly compressed?: 'exact' | 'estimate';
  /**
   * How an image's layers are read: `auto` (the default) from the engine's storage where it is this machine's
   * and readable (see openStoredImage), else as `docker save` sends them; `save` always the latter.
   */
  readonly imageRead?: 'auto' | 'save';
}

export interface ScannedSource {
  readonly tree: FsTree;
  readonly layers: readonly LayerScan[];
  readonly tags: readonly string[];
  /** How an image's layers were read: from the engine's storage, or its `docker save` stream. */
  readonly via?: 'storage' | 'save';
  /** Why the storage, which was there to read, was not used (a layer that did not match its digest, …). */
  readonly storageError?: string;
}

/** Reads a source in one streaming pass and applies its layers in order. */
export async function readSource(source: InspectSource, opts: ReadSourceOptions = {}): Promise<ScannedSource> {
  return read(source, opts, { keep: keepContent, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.compressed ? { compressed: opts.compressed } : {}) });
}

async function read(source: InspectSource, opts: ReadSourceOptions, scan: ScanOptions): Promise<ScannedSource> {
  switch (source.kind) {
    case 'folder': {
      const st = (() => { try { return statSync(source.path); } catch { return undefined; } })();
      if (!st?.isDirectory()) throw new SourceError(`${source.path}: not a folder`);
      const layer = await scanLayer(packTree(source.path, { ...(opts.signal ? { signal: opts.signal } : {}) }) as AsyncIterable<Buffer>, scan)
        .catch((e: unknown) => { throw new SourceError(`${source.path}: ${(e as Error).message.replace(/^not a readable layer tar: /, '')}`); });
      return { tree: applyLayers([layer]), layers: [layer], tags: [] };
    }
    case 'archive': {
      const st = (() => { try { return statSync(source.path); } catch { return undefined; } })();
      if (!st?.isFile()) throw new SourceError(`${source.path}: no such archive`);
      const input = createReadStream(source.path, { highWaterMark: 1 << 20 });
      try {
        const a = await scanImageArchive(input, scan);
        return { tree: applyLayers(a.layers), layers: a.layers, tags: a.tags };
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        throw new SourceError(`${source.path}: ${(e as Error).message}`);
      } finally {
        input.destroy();
      }
    }
    case 'image': {
      // The engine's storage where it can be read here (byte for byte the layers docker save would send,
      // checked against their digests); for anything else and every failure there, docker save.
      const stored = opts.endpoint && opts.imageRead !== 'save' ? await openStoredImage(opts.endpoint, source.ref, opts.signal) : undefined;
      opts.signal?.throwIfAborted();
      let storageError: string | undefined;
      if (stored) {
        try {
          const layers: LayerScan[] = [];
          for (const layer of stored.layers) layers.push(await scanLayer(layer.chunks(opts.signal), scan));
          return { tree: applyLayers(layers), layers, tags: [source.ref], via: 'storage' };
        } catch (e) {
          if (opts.signal?.aborted) throw e;
          // The scan words a failed read as a bad tar; the reason is the read's (its cause).
          const cause = (e as Error).cause;
          storageError = (cause instanceof Error ? cause : e as Error).message;
        }
      }
      // On a local socket the stream is read without the engine client; elsewhere, and for every error, with it.
      const raw = opts.endpoint ? await openSaveStream(opts.endpoint, source.ref, opts.signal) : undefined;
      let stream: Readable | undefined;
      if (!raw) {
        const docker = engine(opts);
        try {
          await docker.getImage(source.ref).inspect();
          stream = await docker.getImage(source.ref).get() as unknown as Readable;
        } catch (e) {
          const m = message(opts, docker, e);
          throw new SourceError(m.includes(source.ref) ? m : `image ${source.ref}: ${m}`);
        }
      }
      try {
        const a = await scanImageArchive(raw ? raw.chunks : coalesce(stream!), scan);
        return { tree: applyLayers(a.layers), layers: a.layers, tags: a.tags.length > 0 ? a.tags : [source.ref], via: 'save', ...(storageError !== undefined && { storageError }) };
      } catch (e) {
        if (opts.signal?.aborted || !raw) throw e;
        throw new SourceError(`image ${source.ref}: ${(e as Error).message}`);
      } finally {
        raw?.destroy();
        stream?.destroy();
      }
    }
    case 'container': {
      const docker = engine(opts);
      let stream: Readable;
      try {
        stream = await docker.getContainer(source.id).export() as unknown as Readable;
      } catch (e) {
        throw new SourceError(`container ${source.id}: ${message(opts, docker, e)}`);
      }
      try {
        const layer = await scanLayer(coalesce(stream), scan);
        return { tree: applyLayers([layer]), layers: [layer], tags: [] };
      } finally {
        stream.destroy();
      }
    }
  }
}

/**
 * A stream of the engine client's in chunks of exactly 1 MiB (the last one shorter): socket chunks are tens
 * of KiB and the tar parse costs per chunk (measured on the bookworm image: 2,500 socket chunks took the scan
 * 4× as long). Each byte is copied once, into its MiB, and the stream is read flowing (an async iterator over
 * it concatenates what is buffered, a second copy). An image on a local socket is read by openSaveStream.
 */
export async function* coalesce(input: Readable, size = 1 << 20): AsyncGenerator<Buffer> {
  const ready: Buffer[] = [];
  let cur: Buffer | undefined;
  let have = 0;
  let ended = false;
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = (): void => { const w = wake; wake = undefined; w?.(); };
  const onData = (c: Buffer): void => {
    for (let at = 0; at < c.length;) {
      cur ??= Buffer.allocUnsafeSlow(size);
      const n = c.copy(cur, have, at);
      have += n;
      at += n;
      if (have === size) { ready.push(cur); cur = undefined; have = 0; }
    }
    if (ready.length >= 4) input.pause();
    if (ready.length > 0) poke();
  };
  const onEnd = (): void => { if (cur && have > 0) ready.push(cur.subarray(0, have)); cur = undefined; ended = true; poke(); };
  const onError = (e: Error): void => { failed = e; poke(); };
  const onClose = (): void => { if (!ended) failed ??= new Error('the stream was closed before its end'); poke(); };
  input.on('data', onData);
  input.once('end', onEnd);
  input.once('error', onError);
  input.once('close', onClose);
  try {
    for (;;) {
      const next = ready.shift();
      if (next) {
        if (ready.length < 2 && input.isPaused()) input.resume();
        yield next;
        continue;
      }
      if (failed) throw failed;
      if (ended) return;
      await new Promise<void>((r) => { wake = r; });
    }
  } finally {
    input.off('data', onData);
    input.off('end', onEnd);
    input.off('error', onError);
    input.off('close', onClose);
  }
}

function message(opts: ReadSourceOptions, docker: Dockerode, e: unknown): string {
  const explained = opts.explain ? opts.explain(docker, e) : e;
  return explained instanceof Error ? explained.message : String(explained);
}

function engine(opts: ReadSourceOptions): Dockerode {
  if (!opts.docker) throw new SourceError('no Docker engine client given: images and containers need the engine');
  return opts.docker();
}

/** Applies layer scans in order: each layer's whiteouts first, then its entries. */
export function applyLayers(layers: readonly LayerScan[]): FsTree {
  const tree = new FsTree();
  for (const layer of layers) {
    tree.applyWhiteouts(layer.whiteouts);
    for (const e of layer.entries) {
      if (e.path === '') continue;
      switch (e.kind) {
        case 'dir': tree.set(e.path, { kind: 'dir', size: 0, inode: tree.newInode(), compressed: e.compressed }); break;
        case 'symlink': tree.set(e.path, { kind: 'symlink', size: 0, inode: tree.newInode(), target: e.linkname ?? '', compressed: e.compressed }); break;
        case 'file': tree.set(e.path, { kind: 'file', size: e.size, inode: tree.newInode(), compressed: e.compressed, ...(e.content ? { content: e.content } : {}) }); break;
        case 'link': {
          const target = tree.nodes.get(e.linkname !== undefined ? e.linkname.replace(/^\.?\/+/, '').replace(/\/+$/, '') : '');
          if (target?.kind === 'file') tree.set(e.path, { ...target, compressed: e.compressed });
          else tree.set(e.path, { kind: 'file', size: 0, inode: tree.newInode(), compressed: e.compressed });
          break;
        }
        default: tree.set(e.path, { kind: 'other', size: 0, inode: tree.newInode(), compressed: e.compressed });
      }
    }
  }
  return tree;
}
