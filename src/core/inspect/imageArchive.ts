import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { scanLayer, type LayerScan, type ScanOptions } from './layerScan';

/** An image archive read in one pass: its layers in the order they apply. */
export interface ScannedArchive {
  readonly layers: LayerScan[];
  readonly tags: string[];
}

const JSON_LIMIT = 8 << 20;

async function* prepend(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

function isTar(head: Buffer): boolean {
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return true;
  // An empty layer is two zero blocks.
  return head.length >= 512 && head.subarray(0, 512).every((b) => b === 0);
}

/**
 * Reads a `docker save` stream or a docker/OCI archive in one pass. Blobs come before the manifest
 * that orders them, so each tar blob is scanned as it streams by (gzip blobs are gunzipped first),
 * small JSON blobs are kept, and at the end `manifest.json` (docker) or `index.json` (OCI) says
 * which scans apply in which order.
 */
export async function scanImageArchive(input: AsyncIterable<Buffer>, opts: ScanOptions): Promise<ScannedArchive> {
  const ex = tar.extract();
  const scans = new Map<string, LayerScan>();
  const json = new Map<string, Buffer>();
  const feed = (async () => {
    try {
      for await (const chunk of input) if (!ex.write(chunk)) await new Promise<void>((r) => ex.once('drain', () => r()));
      ex.end(undefined);
    } catch (err) {
      ex.destroy(err as Error);
    }
  })();
  try {
    for await (const entry of ex) {
      const name = entry.header.name.replace(/^\.\//, '');
      if (entry.header.type !== 'file') { entry.resume(); continue; }
      const it = (entry as unknown as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      const head: Buffer[] = [];
      let got = 0;
      let done = false;
      while (got < 512) {
        const r = await it.next();
        if (r.done) { done = true; break; }
        head.push(r.value);
        got += r.value.length;
      }
      const first = Buffer.concat(head);
      if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
        const gunzip = createGunzip();
        const pump = (async () => {
          for await (const c of prepend(head, it)) if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
          gunzip.end();
        })();
        pump.catch((e: unknown) => gunzip.destroy(e as Error));
        scans.set(name, await scanLayer(gunzip as AsyncIterable<Buffer>, opts));
        await pump;
      } else if (isTar(first)) {
        scans.set(name, await scanLayer(prepend(head, it), opts));
      } else {
        const parts = [first];
        let size = got;
        if (!done) {
          for (;;) {
            const r = await it.next();
            if (r.done) break;
            size += r.value.length;
            // Copied: the chunks under it may be reused (see SaveStream.chunks).
            if (size <= JSON_LIMIT) parts.push(Buffer.from(r.value));
          }
        }
        if (size <= JSON_LIMIT) json.set(name, Buffer.concat(parts));
      }
    }
    await feed;
  } catch (err) {
    ex.destroy();
    throw err;
  }
  return order(scans, json);
}

const blob = (digest: unknown): string => `blobs/${String(digest).replace(':', '/')}`;

function parse(json: Map<string, Buffer>, name: string): unknown {
  const b = json.get(name);
  if (b === undefined) return undefined;
  try { return JSON.parse(b.toString('utf8')); } catch { return undefined; }
}

function order(scans: Map<string, LayerScan>, json: Map<string, Buffer>): ScannedArchive {
  const pick = (names: string[]): LayerScan[] => names.map((n) => {
    const s = scans.get(n);
    if (s === undefined) throw new Error(`the archive names layer ${n} but does not contain it`);
    return s;
  });
  const docker = parse(json, 'manifest.json') as { Layers?: unknown; RepoTags?: unknown }[] | undefined;
  if (Array.isArray(docker) && docker[0] && Array.isArray(docker[0].Layers)) {
    return { layers: pick(docker[0].Layers.map(String)), tags: Array.isArray(docker[0].RepoTags) ? docker[0].RepoTags.map(String) : [] };
  }
  let node = parse(json, 'index.json') as { manifests?: { digest?: unknown; annotations?: Record<string, string> }[]; layers?: { digest?: unknown }[] } | undefined;
  const tags: string[] = [];
  for (let depth = 0; node && depth < 4; depth++) {
    if (Array.isArray(node.layers)) return { layers: pick(node.layers.map((l) => blob(l.digest))), tags };
    const m = Array.isArray(node.manifests) ? node.manifests[0] : undefined;
    if (!m) break;
    const ref = m.annotations?.['org.opencontainers.image.ref.name'];
    if (ref !== undefined) tags.push(ref);
    node = parse(json, blob(m.digest)) as typeof node;
  }
  if (scans.size === 0) throw new Error('no layer in it: not a docker or OCI image archive');
  throw new Error('neither manifest.json nor index.json says which layers apply: not a docker or OCI image archive');
}

