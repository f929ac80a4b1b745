import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Dockerode from 'dockerode';
import * as tar from 'tar-stream';

/** What one tar entry is, as a comparable string: type, mode, owner, mtime, size, link target, content hash. */
export async function layerEntries(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      const hash = createHash('sha256');
      stream.on('data', (c: unknown) => { hash.update(c as Buffer); });
      stream.on('end', () => {
        const name = h.name.replace(/^\.\//u, '').replace(/\/$/u, '');
        out.set(name, `${h.type} mode ${(h.mode ?? 0).toString(8)} owner ${h.uid}:${h.gid} mtime ${h.mtime?.toISOString() ?? '-'} size ${h.size ?? 0}`
          + `${h.linkname ? ` -> ${h.linkname}` : ''}${h.type === 'file' ? ` sha256 ${hash.digest('hex').slice(0, 16)}` : ''}`);
        next();
      });
      stream.on('error', reject);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  await Promise.all([pipeline(createReadStream(file), extract), done]);
  return out;
}

export interface PathDifference {
  readonly path: string;
  /** Only in the first layer, only in the second, or in both but different. */
  readonly change: 'removed' | 'added' | 'changed';
  /** For a change: each side's entry, in words. */
  readonly was?: string;
  readonly now?: string;
}

/** The paths whose entries differ between two layer tars, in name order. */
export async function diffLayers(first: string, second: string): Promise<PathDifference[]> {
  const [a, b] = await Promise.all([layerEntries(first), layerEntries(second)]);
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: PathDifference[] = [];
  for (const path of names) {
    const x = a.get(path);
    const y = b.get(path);
    if (x === y) continue;
    if (y === undefined) out.push({ path, change: 'removed' });
    else if (x === undefined) out.push({ path, change: 'added' });
    else out.push({ path, change: 'changed', was: x, now: y });
  }
  return out;
}

/**
 * Writes the (only, or first) layer of image `ref` as an uncompressed tar to `out`, from `docker save`. The save
 * is unpacked next to `out` and removed again.
 */
export async function saveLayer(docker: Dockerode, ref: string, out: string): Promise<void> {
  const work = await mkdtemp(join(dirname(out), '.ownbase-save-'));
  try {
    const stream = await docker.getImage(ref).get() as unknown as Readable;
    const extract = tar.extract();
    const files: string[] = [];
    extract.on('entry', (h, s, next) => {
      if (h.type !== 'file' || h.name.includes('..')) { s.resume(); s.on('end', next); return; }
      const file = join(work, h.name.replace(/[/]/gu, '__'));
      files.push(h.name);
      s.pipe(createWriteStream(file)).on('finish', next).on('error', next);
    });
    await pipeline(stream, extract);
    const manifest = JSON.parse(await readFile(join(work, 'manifest.json'), 'utf8')) as { Layers?: string[] }[];
    const layer = manifest[0]?.Layers?.[0];
    if (layer === undefined || !files.includes(layer)) throw new Error(`docker save of ${ref} has no layer`);
    await rename(join(work, layer.replace(/[/]/gu, '__')), out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
