// Reading an image's layers from the engine's storage (overlay2 folders and tar-split records), against a
// real HTTP server on a unix socket for the image's inspect and a data root laid out as the engine lays it
// out: the bytes are the layer tars', the report is docker save's, and every doubt falls back to docker save.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { openStoredImage, StoredLayerMismatch } from '../../../src/core/engine/layerStore';
import { reportJson } from '../../../src/core/inspect/formats';
import { buildReport } from '../../../src/core/inspect/report';
import { readSource } from '../../../src/core/inspect/sources';
import { runCli } from '../../../src/cli/run';
import { bytes, collectChunks, makeRootfs, tarOf, tempDir, type TarItem } from './support';

const dir = tempDir('store');
const DATA = join(dir, 'data');
const servers: Server[] = [];
after(() => { for (const s of servers) s.close(); rmSync(dir, { recursive: true, force: true }); });

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/**
 * tar-split's record of a tar, laid out as tar-split lays it out: the raw bytes between two file bodies (the last
 * body's padding, then the next header) one segment, each body a file entry (its name as `name`, or as base64
 * `name_raw` where it is not UTF-8), the end (padding and the zero blocks) the last segment.
 */
function splitOf(tarBytes: Buffer): Buffer {
  const lines: string[] = [];
  let pos = 0;
  let from = 0;
  const segment = (to: number): void => {
    if (to > from) lines.push(JSON.stringify({ type: 2, payload: tarBytes.subarray(from, to).toString('base64'), position: pos++ }));
    from = to;
  };
  let at = 0;
  while (at + 512 <= tarBytes.length) {
    const h = tarBytes.subarray(at, at + 512);
    if (h.every((x) => x === 0)) break;
    const field = (start: number, end: number): Buffer => { const f = h.subarray(start, end); const z = f.indexOf(0); return z < 0 ? f : f.subarray(0, z); };
    const prefix = field(345, 500);
    const nameBytes = prefix.length > 0 ? Buffer.concat([prefix, Buffer.from('/'), field(0, 100)]) : field(0, 100);
    const size = parseInt(field(124, 136).toString('latin1').trim() || '0', 8);
    segment(at + 512);
    const utf8 = Buffer.from(nameBytes.toString('utf8')).equals(nameBytes);
    lines.push(JSON.stringify({ type: 1, ...(utf8 ? { name: nameBytes.toString('utf8') } : { name_raw: nameBytes.toString('base64') }), size, payload: null, position: pos++ }));
    from = at + 512 + size;
    at += 512 + Math.ceil(size / 512) * 512;
  }
  segment(tarBytes.length);
  return gzipSync(`${lines.join('\n')}\n`);
}

interface Layer { readonly tar: Buffer; readonly folder: string; readonly cacheId: string; readonly diffId: string }

/** A layer as the engine stores it: its files in overlay2/CACHE/diff, its record under layerdb by chain ID. */
function storeLayer(tarBytes: Buffer, fill: (folder: string) => void, chain: string): Layer {
  const diffId = `sha256:${sha(tarBytes)}`;
  const cacheId = sha(`${chain}${diffId}cache`);
  const folder = join(DATA, 'overlay2', cacheId, 'diff');
  mkdirSync(folder, { recursive: true });
  fill(folder);
  const record = join(DATA, 'image/overlay2/layerdb/sha256', chain.slice('sha256:'.length));
  mkdirSync(record, { recursive: true });
  writeFileSync(join(record, 'diff'), diffId);
  writeFileSync(join(record, 'cache-id'), cacheId);
  writeFileSync(join(record, 'tar-split.json.gz'), splitOf(tarBytes));
  return { tar: tarBytes, folder, cacheId, diffId };
}

function writeTree(folder: string, items: readonly TarItem[]): void {
  for (const it of items) {
    if ((it.type ?? 'file') !== 'file' || it.name.split('/').pop()!.startsWith('.wh.')) continue;
    mkdirSync(join(folder, it.name, '..'), { recursive: true });
    writeFileSync(join(folder, it.name), it.body ?? '');
  }
}

const NEW = bytes(4 * (1 << 20) - 1636, 9);
let base: Layer;
let top: Layer;
const asked: string[] = [];
let inspect: Record<string, unknown>;
let socket: string;
const endpoint = (): { host: string; source: 'setting' } => ({ host: `unix://${socket}`, source: 'setting' });

before(async () => {
  // The base layer: the unit tests' Debian-like rootfs, as GNU tar writes it (ustar, ./ names, a hard link).
  const rootfs = join(dir, 'rootfs');
  makeRootfs(rootfs);
  // A name that is not UTF-8 (Latin-1 é): tar-split keeps it as name_raw.
  writeFileSync(Buffer.from(`${rootfs}/usr/lib/caf\xe9.txt`, 'latin1'), 'latin-1 name');
  const { execFileSync } = await import('node:child_process');
  const baseTar = execFileSync('tar', ['--format=ustar', '--sort=name', '-C', rootfs, '-cf', '-', '.'], { maxBuffer: 1 << 26 });
  const d1 = `sha256:${sha(baseTar)}`;
  base = storeLayer(baseTar, (f) => { execFileSync('cp', ['-a', `${rootfs}/.`, f]); }, d1);
  // The top layer: a whiteout (foo's copyright), an opaque folder, a new file of almost 4 MiB (chunks across
  // files) that ends 100 bytes before the 4 MiB mark, so that the last segment (padding, zero blocks) crosses it.
  const items: TarItem[] = [
    { name: 'usr/share/doc/foo/.wh.copyright', body: '' },
    { name: 'var/lib/apt/lists/.wh..wh..opq', body: '' },
    { name: 'usr/bin/new', body: NEW },
  ];
  const topTar = await tarOf(items);
  const d2 = `sha256:${sha(topTar)}`;
  top = storeLayer(topTar, (f) => writeTree(f, items), `sha256:${sha(`${d1} ${d2}`)}`);
  inspect = {
    RepoTags: ['my/img:1'],
    RootFS: { Type: 'layers', Layers: [base.diffId, top.diffId] },
    GraphDriver: { Name: 'overlay2', Data: { UpperDir: top.folder, LowerDir: base.folder } },
  };
  const archive = await tarOf([
    { name: 'manifest.json', body: JSON.stringify([{ Config: 'c.json', RepoTags: ['my/img:1'], Layers: ['a/layer.tar', 'b/layer.tar'] }]) },
    { name: 'a/layer.tar', body: baseTar },
    { name: 'b/layer.tar', body: topTar },
  ]);
  socket = join(dir, 'engine.sock');
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    if (req.url === '/images/my/img%3A1/json') { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(inspect)); return; }
    if (req.url === '/images/my/img%3A1/get') { res.writeHead(200, { 'Content-Type': 'application/x-tar' }); res.end(archive); return; }
    res.writeHead(404); res.end('{"message":"No such image"}');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(socket, r));
});

const collect = async (chunks: AsyncIterable<Buffer>): Promise<Buffer> => (await collectChunks(chunks)).all;

const noClient = (): never => { throw new Error('the client was asked'); };
const read = async (imageRead: 'auto' | 'save'): Promise<{ json: string; via: string | undefined }> => {
  const s = await readSource({ kind: 'image', ref: 'my/img:1' }, { endpoint: endpoint(), docker: noClient, compressed: 'estimate', imageRead });
  return { json: JSON.stringify(reportJson(buildReport(s, 'image:my/img:1'))), via: s.via };
};

test('each layer comes out of the store byte for byte as its tar, in chunks of 1 MiB, the top layer by its chain ID', async () => {
  const s = await openStoredImage(endpoint(), 'my/img:1');
  assert.ok(s);
  assert.deepEqual(s.layers.map((l) => l.diffId), [base.diffId, top.diffId]);
  const first = await collect(s.layers[0]!.chunks());
  const { all: second, sizes } = await collectChunks(s.layers[1]!.chunks());
  assert.equal(first.length, base.tar.length);
  assert.ok(first.equals(base.tar));
  assert.ok(second.equals(top.tar));
  assert.equal(top.tar.length, 1536 + NEW.length + 100 + 1024);
  assert.deepEqual(sizes, [1 << 20, 1 << 20, 1 << 20, 1 << 20, top.tar.length - (4 << 20)]);
  assert.match(gunzipSync(readFileSync(join(DATA, 'image/overlay2/layerdb/sha256', base.diffId.slice(7), 'tar-split.json.gz'))).toString(), /"name_raw":"[^"]+"/);
});

test('the report read from the store is docker save\'s, to the byte, and docker save is not asked', async () => {
  asked.length = 0;
  const stored = await read('auto');
  assert.equal(stored.via, 'storage');
  assert.deepEqual(asked, ['/images/my/img%3A1/json']);
  const saved = await read('save');
  assert.equal(saved.via, 'save');
  assert.ok(asked.includes('/images/my/img%3A1/get'));
  assert.equal(stored.json, saved.json);
  // The whiteout and the opaque folder applied: foo's copyright and the apt list are gone, the new file is there.
  const r = JSON.parse(stored.json) as { unowned: { path: string; bytes: number }[]; packages: { name: string; bytes: number }[] };
  assert.equal(r.packages.find((p) => p.name === 'foo')?.bytes, 50 + 2000);
  assert.equal(r.unowned.some((u) => u.path.startsWith('var/lib/apt')), false);
});

test('a file changed in the store (same size) fails the layer digest: the chunks throw, the read falls back to docker save', async () => {
  const path = join(base.folder, 'usr/bin/foo');
  const was = bytes(2000, 4);
  writeFileSync(path, bytes(2000, 5));
  try {
    const s = await openStoredImage(endpoint(), 'my/img:1');
    await assert.rejects(collect(s!.layers[0]!.chunks()), (e: Error) => e instanceof StoredLayerMismatch && /reads as sha256:[0-9a-f]{64}, not sha256:/.test(e.message));
    const r = await read('auto');
    assert.equal(r.via, 'save');
    assert.equal(r.json, (await read('save')).json);
  } finally {
    writeFileSync(path, was);
  }
});

test('a file missing or short in the store is a mismatch, not a crash', async () => {
  const path = join(top.folder, 'usr/bin/new');
  const was = NEW;
  try {
    writeFileSync(path, was.subarray(0, 1000));
    const s = await openStoredImage(endpoint(), 'my/img:1');
    await assert.rejects(collect(s!.layers[1]!.chunks()), (e: Error) => e instanceof StoredLayerMismatch && /usr\/bin\/new is shorter/.test(e.message));
    rmSync(path);
    await assert.rejects(collect(s!.layers[1]!.chunks()), (e: Error) => e instanceof StoredLayerMismatch && /ENOENT/.test(e.message));
    assert.equal((await read('auto')).via, 'save');
  } finally {
    writeFileSync(path, was);
  }
});

test('no store to read: another driver, a record that names another layer, no record, a TCP engine, an unknown image', async () => {
  const saved = inspect;
  try {
    inspect = { ...saved, GraphDriver: { Name: 'btrfs', Data: null } };
    assert.equal(await openStoredImage(endpoint(), 'my/img:1'), undefined);
    inspect = { ...saved, RootFS: { Type: 'layers', Layers: [top.diffId] } };
    assert.equal(await openStoredImage(endpoint(), 'my/img:1'), undefined, 'no record under that chain ID');
    inspect = { ...saved, RootFS: { Type: 'layers', Layers: [base.diffId] } };
    assert.equal(await openStoredImage(endpoint(), 'my/img:1'), undefined, 'the base layer\'s folder is not the UpperDir');
    inspect = { ...saved, GraphDriver: { Name: 'overlay2', Data: { UpperDir: join(dir, 'elsewhere/overlay2/x/diff') } } };
    assert.equal(await openStoredImage(endpoint(), 'my/img:1'), undefined, 'a data root without the records');
  } finally {
    inspect = saved;
  }
  assert.equal(await openStoredImage({ host: 'tcp://127.0.0.1:2375', source: 'setting' }, 'my/img:1'), undefined);
  assert.equal(await openStoredImage(endpoint(), 'none:1'), undefined);
  assert.equal(await openStoredImage({ host: `unix://${join(dir, 'none.sock')}`, source: 'setting' }, 'my/img:1'), undefined);
});

test('a record naming a path outside the layer folder, or a broken record, is a mismatch; one without its last newline reads', async () => {
  const record = join(DATA, 'image/overlay2/layerdb/sha256', base.diffId.slice('sha256:'.length), 'tar-split.json.gz');
  const was = readFileSync(record);
  const text = gunzipSync(was).toString('utf8');
  assert.match(text, /"name":"\.\/usr\/bin\/foo"/);
  try {
    writeFileSync(record, gzipSync(text.replace('"name":"./usr/bin/foo"', '"name":"./usr/../../../etc/passwd"')));
    let s = await openStoredImage(endpoint(), 'my/img:1');
    await assert.rejects(collect(s!.layers[0]!.chunks()), (e: Error) => e instanceof StoredLayerMismatch && /outside the layer/.test(e.message));
    assert.equal((await read('auto')).via, 'save');
    writeFileSync(record, was.subarray(0, was.length >> 1));
    s = await openStoredImage(endpoint(), 'my/img:1');
    await assert.rejects(collect(s!.layers[0]!.chunks()));
    assert.equal((await read('auto')).via, 'save');
    writeFileSync(record, gzipSync(text.trimEnd()));
    s = await openStoredImage(endpoint(), 'my/img:1');
    assert.ok((await collect(s!.layers[0]!.chunks())).equals(base.tar));
  } finally {
    writeFileSync(record, was);
  }
});

test('a folder on the way that leads out of the layer (a symlink to /), or a FIFO where a file should be, is a mismatch and never blocks', async () => {
  const record = join(DATA, 'image/overlay2/layerdb/sha256', base.diffId.slice('sha256:'.length), 'tar-split.json.gz');
  const was = readFileSync(record);
  const text = gunzipSync(was).toString('utf8');
  const { execFileSync } = await import('node:child_process');
  symlinkSync('/', join(base.folder, 'escape'));
  execFileSync('mkfifo', [join(base.folder, 'usr/bin/fifo')]);
  try {
    writeFileSync(record, gzipSync(text.replace('"name":"./usr/bin/foo"', '"name":"./escape/etc/hostname"')));
    let s = await openStoredImage(endpoint(), 'my/img:1');
    await assert.rejects(collect(s!.layers[0]!.chunks()), (e: Error) => e instanceof StoredLayerMismatch && /escape\/etc\/hostname, outside the layer/.test(e.message));
    writeFileSync(record, gzipSync(text.replace('"name":"./usr/bin/foo"', '"name":"./usr/bin/fifo"')));
    s = await openStoredImage(endpoint(), 'my/img:1');
    await assert.rejects(collect(s!.layers[0]!.chunks()), (e: Error) => e instanceof StoredLayerMismatch && /usr\/bin\/fifo is not a regular file/.test(e.message));
    const r = await readSource({ kind: 'image', ref: 'my/img:1' }, { endpoint: endpoint(), docker: noClient, compressed: 'estimate' });
    assert.equal(r.via, 'save');
    assert.match(r.storageError ?? '', /not a regular file/);
    // The CLI (its engine from DOCKER_HOST) prints the same report and says why, on stderr.
    const env = process.env['DOCKER_HOST'];
    process.env['DOCKER_HOST'] = `unix://${socket}`;
    let out = '';
    let err = '';
    try {
      const code = await runCli(['inspect', 'image:my/img:1', '--format', 'json'], { cwd: dir, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } });
      assert.equal(code, 0, err);
    } finally {
      if (env === undefined) delete process.env['DOCKER_HOST']; else process.env['DOCKER_HOST'] = env;
    }
    assert.match(err, /^ownbase inspect: read image:my\/img:1 through docker save: its layers in the engine's storage did not read as the image's \(sha256:[0-9a-f]{64}: \.\/usr\/bin\/fifo is not a regular file in the layer folder\)\n$/);
    assert.equal(JSON.parse(out).packages.find((p: { name: string }) => p.name === 'foo').bytes, 50 + 2000);
  } finally {
    writeFileSync(record, was);
    rmSync(join(base.folder, 'escape'));
    rmSync(join(base.folder, 'usr/bin/fifo'));
  }
});

test('a read cancelled while the engine is asked is cancelled, not read again through docker save', async () => {
  const ac = new AbortController();
  ac.abort(new Error('cancelled by the test'));
  asked.length = 0;
  await assert.rejects(readSource({ kind: 'image', ref: 'my/img:1' }, { endpoint: endpoint(), docker: noClient, signal: ac.signal }), /cancelled by the test/);
  assert.deepEqual(asked, []);
});
