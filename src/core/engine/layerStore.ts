import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { imageApiPath, localSocket, type EngineEndpoint } from './endpoint';
import { SAVE_CHUNKS_VALID } from './saveStream';

/**
 * An image's layers read from the engine's own storage instead of through `docker save`: each layer tar
 * rebuilt byte for byte from the record the engine keeps of it (tar-split: every header and padding as it
 * came, and each file's name and size) and the files in the layer's overlay2 folder, then checked against
 * the layer's digest (its diff ID). This is how the engine itself writes a layer for `docker save`, which
 * first copies the whole archive into a temporary folder and only then sends it (0.8 s of the 1.3 s
 * `docker save` takes for the bookworm image here, before its first byte). See ARCHITECTURE.md, "Inspect".
 *
 * Only where that storage is this machine's and readable: an engine on a local socket, the overlay2 driver,
 * and a user who may read the engine's folder (root: it is 0710 root's). Anything else gives undefined and
 * the caller reads `docker save`; so does a layer whose bytes do not match its digest (StoredLayerMismatch).
 */
export interface StoredImage {
  /** The image's layers in the order they apply. */
  readonly layers: readonly StoredLayer[];
}

export interface StoredLayer {
  /** `sha256:…` of the uncompressed layer tar. */
  readonly diffId: string;
  /**
   * The layer tar in 1 MiB chunks (the last one shorter), whose memory is reused like SaveStream's (valid
   * until SAVE_CHUNKS_VALID more chunks have been taken). Throws StoredLayerMismatch, after the last chunk,
   * when the bytes were not the layer's.
   */
  chunks(signal?: AbortSignal): AsyncIterable<Buffer>;
}

/** The stored bytes differ from the layer's digest, or a file the record names is missing or short. */
export class StoredLayerMismatch extends Error {
  override readonly name = 'StoredLayerMismatch';
}

const JSON_LIMIT = 16 << 20;

/** A small JSON reply of the engine on its local socket; undefined on any failure. */
function getJson(socketPath: string, path: string, signal?: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, headers: { Host: 'docker', 'User-Agent': 'ownbase' }, ...(signal ? { signal } : {}) }, (res) => {
      if (res.statusCode !== 200) { res.resume(); resolve(undefined); return; }
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => { size += c.length; if (size > JSON_LIMIT) req.destroy(); else parts.push(c); });
      res.on('end', () => { try { resolve(JSON.parse(Buffer.concat(parts).toString('utf8'))); } catch { resolve(undefined); } });
      res.on('error', () => resolve(undefined));
      res.on('close', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

interface ImageInspect {
  readonly RootFS?: { readonly Type?: unknown; readonly Layers?: unknown };
  readonly GraphDriver?: { readonly Name?: unknown; readonly Data?: { readonly UpperDir?: unknown } | null };
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The image's layers in the engine's storage, or undefined where they cannot be read there (see StoredImage).
 * One request (the image's inspect): the driver's name, the top layer's folder (whose grandparent's parent is
 * the engine's data root) and the diff IDs, from which each layer's chain ID names its record in
 * `DATA/image/overlay2/layerdb/sha256/`: `diff` (checked), `cache-id` (its folder under `DATA/overlay2/`) and
 * `tar-split.json.gz`.
 */
export async function openStoredImage(endpoint: EngineEndpoint, ref: string, signal?: AbortSignal): Promise<StoredImage | undefined> {
  const socketPath = localSocket(endpoint);
  if (socketPath === undefined || signal?.aborted) return undefined;
  const image = await getJson(socketPath, imageApiPath(ref, 'json'), signal) as ImageInspect | undefined;
  const upper = image?.GraphDriver?.Data?.UpperDir;
  const diffIds = image?.RootFS?.Layers;
  if (image?.GraphDriver?.Name !== 'overlay2' || typeof upper !== 'string' || image.RootFS?.Type !== 'layers' || !Array.isArray(diffIds)) return undefined;
  if (!diffIds.every((d): d is string => typeof d === 'string' && DIGEST.test(d))) return undefined;
  // UpperDir is DATA/overlay2/CACHE-ID/diff.
  const data = dirname(dirname(dirname(upper)));
  const layers: StoredLayer[] = [];
  let chain = '';
  let folder = '';
  for (const diffId of diffIds) {
    chain = chain === '' ? diffId : `sha256:${sha256(`${chain} ${diffId}`)}`;
    const record = join(data, 'image', 'overlay2', 'layerdb', 'sha256', chain.slice('sha256:'.length));
    let split: Buffer;
    try {
      if (readFileSync(join(record, 'diff'), 'utf8').trim() !== diffId) return undefined;
      const cacheId = readFileSync(join(record, 'cache-id'), 'utf8').trim();
      if (!/^[0-9a-f]{64}$/.test(cacheId)) return undefined;
      folder = join(data, 'overlay2', cacheId, 'diff');
      if (!statSync(folder).isDirectory()) return undefined;
      split = readFileSync(join(record, 'tar-split.json.gz'));
    } catch {
      return undefined;
    }
    const at = folder;
    layers.push({ diffId, chunks: (s) => layerChunks(at, split, diffId, s) });
  }
  // The top layer's record leads to the folder the engine named.
  if (folder !== upper) return undefined;
  return { layers };
}

const CHUNK = 1 << 20;
/** The largest record inflated (about a million files); a larger layer is read by docker save. */
const SPLIT_LIMIT = 1 << 30;

/** One line of tar-split's record: a segment of raw tar bytes (type 2), or a file's name and size (type 1). */
interface SplitEntry {
  readonly type?: number;
  readonly name?: string;
  /** The name's bytes, base64, where they are not UTF-8. */
  readonly name_raw?: string;
  readonly size?: number;
  /** A segment's bytes, base64 (a file's CRC-64, unused here: the layer digest checks everything). */
  readonly payload?: string | null;
}

/**
 * A file's path in the layer folder, or undefined for a name that would leave it: a `..` component, or a folder
 * on the way that resolves outside (a symlink the layer holds, such as `x -> /`: the engine unpacks a layer
 * chrooted, so `x/y` is a file inside it, but opening `x/y` here would follow the link to this machine's own
 * files). Each folder is resolved once; `O_NOFOLLOW` covers the last component.
 */
function pathIn(folder: string, realFolder: string, resolved: Map<string, boolean>, e: SplitEntry): Buffer | undefined {
  const name = e.name_raw !== undefined ? Buffer.from(e.name_raw, 'base64') : Buffer.from(e.name ?? '', 'utf8');
  const s = name.toString('latin1');
  if (s.includes('\0') || s.split('/').includes('..')) return undefined;
  const path = Buffer.concat([Buffer.from(`${folder}/`), name]);
  const slash = s.replace(/\/+$/, '').lastIndexOf('/');
  const dir = slash < 0 ? '' : s.slice(0, slash);
  let inside = resolved.get(dir);
  if (inside === undefined) {
    try {
      const real = realpathSync(Buffer.concat([Buffer.from(`${folder}/`), Buffer.from(dir, 'latin1')]), { encoding: 'buffer' }).toString('latin1');
      inside = real === realFolder || real.startsWith(`${realFolder}/`);
    } catch {
      inside = false;
    }
    resolved.set(dir, inside);
  }
  return inside ? path : undefined;
}

async function* layerChunks(folder: string, splitGz: Buffer, diffId: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  const realFolder = Buffer.from(realpathSync(Buffer.from(folder), { encoding: 'buffer' })).toString('latin1');
  const resolved = new Map<string, boolean>();
  const pool: Buffer[] = [];
  const taken: Buffer[] = [];
  let cur: Buffer = Buffer.allocUnsafeSlow(CHUNK);
  let have = 0;
  /** The full chunk, hashed and handed on; a new one to fill. */
  const full = (): Buffer => {
    const c = cur;
    hash.update(c);
    taken.push(c);
    if (taken.length > SAVE_CHUNKS_VALID) pool.push(taken.shift()!);
    cur = pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
    have = 0;
    return c;
  };
  /** The bytes one line of the record stands for, into the chunks; each chunk filled is yielded. */
  function* entry(line: string): Generator<Buffer> {
    const e = JSON.parse(line) as SplitEntry;
    if (e.type === 2) {
      const b64 = e.payload ?? '';
      // Decoded straight into the chunk where it fits (headers are 512 or 1,024 bytes).
      const size = (b64.length >> 2) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
      if (size <= CHUNK - have) {
        have += cur.write(b64, have, 'base64');
        if (have === CHUNK) yield full();
        return;
      }
      const bytes = Buffer.from(b64, 'base64');
      for (let from = 0; from < bytes.length;) {
        const n = bytes.copy(cur, have, from);
        have += n;
        from += n;
        if (have === CHUNK) yield full();
      }
    } else if (e.type === 1 && (e.size ?? 0) > 0) {
      const path = pathIn(folder, realFolder, resolved, e);
      if (path === undefined) throw new StoredLayerMismatch(`${diffId}: the record names ${e.name ?? '?'}, outside the layer`);
      let fd: number;
      // Non-blocking, and only a regular file is read: a FIFO or a device where a file should be is a mismatch.
      try { fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK); } catch (err) { throw new StoredLayerMismatch(`${diffId}: ${(err as Error).message}`); }
      try {
        if (!fstatSync(fd).isFile()) throw new StoredLayerMismatch(`${diffId}: ${e.name ?? '?'} is not a regular file in the layer folder`);
        for (let left = e.size!; left > 0;) {
          const n = readSync(fd, cur, have, Math.min(left, CHUNK - have), null);
          if (n === 0) throw new StoredLayerMismatch(`${diffId}: ${e.name ?? '?'} is shorter than the layer's record says`);
          have += n;
          left -= n;
          if (have === CHUNK) yield full();
        }
      } finally {
        closeSync(fd);
      }
    }
  }
  // Inflated at once into bytes (a layer of many files is tens of MB of JSON: too much for one string, and an
  // inflate stream on the thread pool made the main thread wait for each piece), then read a line at a time.
  const split = gunzipSync(splitGz, { maxOutputLength: SPLIT_LIMIT });
  for (let at = 0; at < split.length;) {
    signal?.throwIfAborted();
    let nl = split.indexOf(10, at);
    if (nl < 0) nl = split.length;
    if (nl > at) yield* entry(split.toString('utf8', at, nl));
    at = nl + 1;
  }
  const last = cur.subarray(0, have);
  hash.update(last);
  if (have > 0) yield last;
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== diffId) throw new StoredLayerMismatch(`the stored layer reads as ${got}, not ${diffId}`);
}
