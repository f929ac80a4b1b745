import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { writeOciArchive } from '../../../src/core/engine/import';
import { writeLayer, writeLayerFile } from '../../../src/core/engine/layer';
import { LABEL_RECIPE_PATH } from '../../../src/core/engine/labels';
import { makeTree, tempDir } from './support';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function files(archive: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const ex = tar.extract();
  const done = (async () => {
    for await (const e of ex) {
      const parts: Buffer[] = [];
      for await (const c of e) parts.push(c as Buffer);
      out.set(e.header.name, Buffer.concat(parts));
    }
  })();
  ex.end(archive);
  await done;
  return out;
}

test('the layer digest, size and gzip-6 size are those of the tar bytes', async () => {
  const root = tempDir('layer');
  const work = tempDir('layer-out');
  try {
    makeTree(root);
    const progress: number[] = [];
    const layer = await writeLayer(root, { tarFile: join(work, 'l.tar'), gzipFile: join(work, 'l.tar.gz'), onProgress: (n) => progress.push(n) });
    const tarBytes = readFileSync(join(work, 'l.tar'));
    const gzBytes = readFileSync(join(work, 'l.tar.gz'));
    assert.equal(layer.size, tarBytes.length);
    assert.equal(layer.size % 512, 0);
    assert.equal(layer.diffId, sha(tarBytes));
    assert.equal(layer.gzip?.size, gzipSync(tarBytes, { level: 6 }).length);
    assert.equal(layer.gzip?.size, gzBytes.length);
    assert.equal(layer.gzip?.digest, sha(gzBytes));
    assert.ok(gunzipSync(gzBytes).equals(tarBytes));
    assert.equal(progress.at(-1), layer.size);
    assert.deepEqual([...progress].sort((a, b) => a - b), progress, 'progress only grows');
    const followed = await writeLayerFile(root, join(work, 'f.tar'));
    assert.equal(followed.diffId, layer.diffId);
    assert.deepEqual(await followed.gzip, layer.gzip);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});

test('writeOciArchive writes an OCI layout that is also a docker-archive, with no engine', async () => {
  const root = tempDir('oci');
  const work = tempDir('oci-out');
  try {
    makeTree(root);
    const out = join(work, 'image.tar');
    const req = {
      tag: 'owned/tree:1', arch: 'armhf', created: new Date('2024-01-02T03:04:05Z'),
      config: { cmd: ['/bin/tool'], env: { A: '1' }, expose: [8080] }, labels: { [LABEL_RECIPE_PATH]: 'tree.ownbase.yaml' },
    };
    const res = await writeOciArchive(root, out, req);
    assert.equal(res.path, out);
    assert.equal(res.size, statSync(out).size);
    assert.deepEqual(readdirSync(work), ['image.tar'], 'no temporary files are left next to the archive');
    const f = await files(readFileSync(out));
    assert.deepEqual(JSON.parse(f.get('oci-layout')!.toString()), { imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(f.get('index.json')!.toString());
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(index.manifests[0].platform, { architecture: 'arm', os: 'linux', variant: 'v7' });
    assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'owned/tree:1');
    const manifestBytes = f.get(`blobs/${index.manifests[0].digest.replace(':', '/')}`)!;
    assert.equal(sha(manifestBytes), index.manifests[0].digest);
    assert.equal(manifestBytes.length, index.manifests[0].size);
    const manifest = JSON.parse(manifestBytes.toString());
    const configBytes = f.get(`blobs/${manifest.config.digest.replace(':', '/')}`)!;
    const layerBytes = f.get(`blobs/${manifest.layers[0].digest.replace(':', '/')}`)!;
    assert.equal(sha(configBytes), manifest.config.digest);
    assert.equal(sha(layerBytes), manifest.layers[0].digest);
    assert.equal(manifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
    assert.equal(layerBytes.length, res.layerGzipSize);
    const config = JSON.parse(configBytes.toString());
    assert.equal(config.architecture, 'arm');
    assert.equal(config.variant, 'v7');
    assert.equal(config.created, '2024-01-02T03:04:05.000Z');
    assert.deepEqual(config.config, { Cmd: ['/bin/tool'], Env: ['A=1'], ExposedPorts: { '8080/tcp': {} }, Labels: { [LABEL_RECIPE_PATH]: 'tree.ownbase.yaml' } });
    assert.deepEqual(config.rootfs.diff_ids, [sha(gunzipSync(layerBytes))]);
    assert.deepEqual(JSON.parse(f.get('manifest.json')!.toString()), [{
      Config: `blobs/${manifest.config.digest.replace(':', '/')}`,
      RepoTags: ['owned/tree:1'],
      Layers: [`blobs/${manifest.layers[0].digest.replace(':', '/')}`],
    }]);
    const again = await writeOciArchive(root, join(work, 'again.tar'), req);
    assert.ok(readFileSync(again.path).equals(readFileSync(out)), 'same tree and created time give the same archive bytes');
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});

test('writeOciArchive rejects bad input before writing anything, and an abort leaves no file', async () => {
  const root = tempDir('oci-bad');
  const work = tempDir('oci-bad-out');
  try {
    makeTree(root);
    const base = { tag: 'ok:1', arch: 'amd64', config: {}, labels: {} };
    await assert.rejects(writeOciArchive(root, join(work, 'a.tar'), { ...base, tag: 'Bad Name' }), /Image name "Bad Name" is not valid/);
    await assert.rejects(writeOciArchive(root, join(work, 'a.tar'), { ...base, arch: 'sparc' }), /Unknown Debian architecture "sparc"/);
    await assert.rejects(writeOciArchive(root, join(work, 'a.tar'), { ...base, config: { expose: ['http'] } }), /expose: "http" is not a port/);
    const ac = new AbortController();
    const p = writeOciArchive(root, join(work, 'a.tar'), { ...base, signal: ac.signal, onProgress: () => ac.abort() });
    await assert.rejects(p, { name: 'AbortError' });
    assert.equal(existsSync(join(work, 'a.tar')), false);
    assert.deepEqual(readdirSync(work), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
