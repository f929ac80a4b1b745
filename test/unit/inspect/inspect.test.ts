import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { packTree } from '../../../src/core/engine/tarWalk';
import { compareReports } from '../../../src/core/inspect/compare';
import { parseControl, parseDepends, purgedPaths } from '../../../src/core/inspect/dpkg';
import { reportCsv, reportJson } from '../../../src/core/inspect/formats';
import { buildReport, type Report } from '../../../src/core/inspect/report';
import { debPurl, toCycloneDx, toSpdx } from '../../../src/core/inspect/sbom';
import { keepContent, parseSource, readSource, SourceError } from '../../../src/core/inspect/sources';
import { scanLayer } from '../../../src/core/inspect/layerScan';
import { overLimits } from '../../../src/core/inspect/thresholds';
import { normPath } from '../../../src/core/inspect/tree';
import { rng } from '../rng';
import { bytes, EXPECTED, makeRootfs, OS_RELEASE, tarOf, tempDir, UNOWNED_EXTRA } from './support';

/** What the `gzip -6` program makes of these bytes. */
const gzip6 = (b: Buffer): number => execFileSync('gzip', ['-6', '-n', '-c'], { input: b, maxBuffer: 1 << 30 }).length;

async function collect(s: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function folderReport(): Promise<{ report: Report; root: string; layerTar: Buffer }> {
  const root = tempDir('rootfs');
  makeRootfs(root);
  const scanned = await readSource({ kind: 'folder', path: root });
  const layerTar = await collect(packTree(root));
  return { report: buildReport(scanned, `folder:${root}`), root, layerTar };
}

const pkg = (r: Report, name: string) => {
  const p = r.packages.find((x) => x.name === name);
  assert.ok(p, `package ${name} in the report`);
  return p;
};

test('every file goes to the package that lists it: usr-merge, a diversion, a hard link counted once', async () => {
  const { report, root } = await folderReport();
  try {
    for (const [name, b] of Object.entries(EXPECTED)) assert.equal(pkg(report, name).bytes, b, name);
    assert.deepEqual(pkg(report, 'foo').paths.slice().sort(), ['/usr/bin/foo', '/usr/bin/foo-again', '/usr/bin/ls', '/usr/share/doc/foo/copyright']);
    assert.deepEqual(pkg(report, 'coreutils').paths, ['/usr/bin/ls.distrib']);
    assert.equal(pkg(report, 'foo').files, 3);
    assert.equal(report.packages.some((p) => p.name === 'gone'), false, 'config-files only is not installed');
    assert.deepEqual(report.packages.map((p) => p.name), ['foo', 'libc6', 'libbar', 'vim-tiny', 'coreutils']);
    const owned = report.packages.reduce((s, p) => s + p.bytes, 0);
    const unowned = report.unowned.reduce((s, u) => s + u.bytes, 0);
    assert.equal(owned + unowned, report.totals.bytes);
    assert.equal(report.unowned.find((u) => u.path === '/var/lib/apt/lists')?.bytes, UNOWNED_EXTRA['var/lib/apt/lists/x_Packages']);
    assert.equal(report.unowned.find((u) => u.path === '/etc')?.bytes, 6 + OS_RELEASE.length);
    // 7 package inodes (foo-again is foo) + 2 extra + status, 5 lists, md5sums, diversions + os-release
    assert.equal(report.totals.files, 7 + 2 + 1 + 5 + 1 + 1 + 1);
    assert.equal(pkg(report, 'libc6').declaredBytes, 12 * 1024);
    assert.equal(pkg(report, 'libc6').source, 'glibc');
    assert.equal(report.os?.versionId, '12');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a postrm\'s rm of literal paths: options, globs, continued lines, DPKG_ROOT; variables and redirections left out', () => {
  const script = [
    '#!/bin/sh', 'set -e', '# rm -f /commented/out',
    'if [ "$1" = purge ]; then', '  rm -f /etc/ssl/certs/ca-certificates.crt', '  rm -f /etc/ca.conf* 2>/dev/null', 'fi',
    'rm -rf -- "/var/lib/foo" ; rm "$h" $x/y', 'rm -f "${DPKG_ROOT:-}/etc/shells" \\', '  /var/lib/shells.state >/dev/null', 'test -f x || rm -R /srv/cache',
  ].join('\n');
  assert.deepEqual(purgedPaths(script), [
    { path: 'etc/ssl/certs/ca-certificates.crt', recursive: false },
    { path: 'etc/ca.conf*', recursive: false },
    { path: 'var/lib/foo', recursive: true },
    { path: 'etc/shells', recursive: false },
    { path: 'var/lib/shells.state', recursive: false },
    { path: 'srv/cache', recursive: true },
  ]);
});

test('what purging frees includes the files its postrm removes that no package lists, through symlinked folders', async () => {
  const root = tempDir('rootfs');
  makeRootfs(root);
  try {
    writeFileSync(join(root, 'var/lib/dpkg/info/vim-tiny.postrm'), '#!/bin/sh\nrm -f /bin/vim-gen.* /usr/lib/libc.so.6\nrm -rf /var/lib/vim "$X"/y\n');
    writeFileSync(join(root, 'usr/bin/vim-gen.a'), bytes(111, 8));
    writeFileSync(join(root, 'usr/bin/vim-gen.b'), bytes(222, 9));
    mkdirSync(join(root, 'var/lib/vim/sub'), { recursive: true });
    writeFileSync(join(root, 'var/lib/vim/sub/state'), bytes(33, 10));
    const report = buildReport(await readSource({ kind: 'folder', path: root }), 'f');
    const info = (f: string): number => statSync(join(root, 'var/lib/dpkg/info', f)).size;
    const vim = pkg(report, 'vim-tiny');
    // libc.so.6 is libc6's: named by the postrm, it is not counted for vim-tiny.
    assert.deepEqual([...vim.purgedPaths].sort(), ['/usr/bin/vim-gen.a', '/usr/bin/vim-gen.b', '/var/lib/vim/sub/state']);
    assert.equal(vim.bytes, EXPECTED['vim-tiny']);
    assert.equal(vim.freesBytes, EXPECTED['vim-tiny'] + 111 + 222 + 33 + info('vim-tiny.list') + info('vim-tiny.postrm'));
    assert.equal(pkg(report, 'foo').purgedPaths.length, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('frees-if-removed counts what only that package needs; why follows reverse dependencies', async () => {
  const { report, root } = await folderReport();
  try {
    assert.deepEqual(pkg(report, 'foo').frees, ['foo', 'libbar']);
    // Their files and their dpkg database files (info/NAME.list here), which dpkg deletes with them.
    const info = (name: string): number => statSync(join(root, `var/lib/dpkg/info/${name}.list`)).size;
    assert.equal(pkg(report, 'foo').freesBytes, EXPECTED.foo + info('foo') + EXPECTED.libbar + info('libbar'));
    assert.equal(pkg(report, 'libbar').freesBytes, EXPECTED.libbar + info('libbar'));
    assert.deepEqual(pkg(report, 'libc6').frees, ['libc6']);
    assert.equal(pkg(report, 'coreutils').why, 'Essential');
    assert.equal(pkg(report, 'libc6').why, 'Priority required');
    assert.equal(pkg(report, 'foo').why, 'installed on purpose');
    assert.equal(pkg(report, 'libbar').why, 'needed by foo (installed on purpose)');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('container classes: an editor package, docs and apt lists by path, with their recipe removals', async () => {
  const { report, root } = await folderReport();
  try {
    assert.equal(pkg(report, 'vim-tiny').class, 'editor');
    assert.equal(pkg(report, 'foo').class, null);
    const byId = new Map(report.classes.map((c) => [c.id, c]));
    assert.deepEqual(byId.get('editor')?.remove, ['/usr/bin/vim.tiny']);
    assert.equal(byId.get('docs')?.bytes, 120);
    assert.ok(byId.get('docs')?.remove.includes('/usr/share/doc/*'));
    assert.equal(byId.get('apt-cache')?.bytes, 500);
    assert.equal(report.totals.removableBytes, 400 + 120 + 500);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the compressed total is the gzip -6 program\'s output for the layer tar; the shares add up to no more than it', async () => {
  const { report, root, layerTar } = await folderReport();
  try {
    assert.equal(report.totals.compressedBytes, gzip6(layerTar));
    assert.equal(report.compressedBy, 'gzip -6');
    const shares = report.packages.reduce((s, p) => s + p.compressedBytes, 0) + report.unowned.reduce((s, u) => s + u.compressedBytes, 0);
    assert.ok(shares > 0 && shares <= report.totals.compressedBytes, `${shares} of ${report.totals.compressedBytes}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a big incompressible file gets its own size as its compressed share, within the compressor\'s lag', async () => {
  const noise = createHash('sha512');
  const parts: Buffer[] = [];
  for (let i = 0; i < 16384; i++) parts.push(noise.update(String(i)).copy().digest());
  const random = Buffer.concat(parts); // 1 MiB
  const tarBytes = await tarOf([{ name: 'small.txt', body: bytes(1000, 9) }, { name: 'random.bin', body: random }, { name: 'tail.txt', body: 'x'.repeat(200000) }]);
  const scan = await scanLayer((async function* () { yield tarBytes; })(), { keep: () => false });
  assert.equal(scan.gzipBytes, gzip6(tarBytes));
  const r = scan.entries.find((e) => e.path === 'random.bin')!;
  assert.ok(Math.abs(r.compressed - random.length) < 0.05 * random.length, `random.bin share ${r.compressed}`);
  const t = scan.entries.find((e) => e.path === 'tail.txt')!;
  assert.ok(t.compressed < 20000, `tail.txt share ${t.compressed}`);
});

test('estimated from samples, a layer of 3 MiB (text, noise, zeros) comes within 3% of gzip -6, and a big incompressible file within 5% of its size', async () => {
  const noise = createHash('sha512');
  const parts: Buffer[] = [];
  for (let i = 0; i < 16384; i++) parts.push(noise.update(String(i)).copy().digest());
  const random = Buffer.concat(parts); // 1 MiB
  const text = Buffer.from(Array.from({ length: 40000 }, (_, i) => `line ${i}: the quick brown fox ${i % 97} jumps\n`).join('')).subarray(0, 1 << 20);
  const tarBytes = await tarOf([{ name: 'text.txt', body: text }, { name: 'random.bin', body: random }, { name: 'zeros', body: Buffer.alloc(1 << 20) }]);
  const scan = await scanLayer((async function* () { for (let i = 0; i < tarBytes.length; i += 100_000) yield tarBytes.subarray(i, i + 100_000); })(), { keep: () => false, compressed: 'estimate' });
  assert.equal(scan.measuredBy, 'estimate');
  const exact = gzip6(tarBytes);
  assert.ok(Math.abs(scan.gzipBytes - exact) <= 0.03 * exact, `estimate ${scan.gzipBytes}, gzip -6 ${exact}`);
  const r = scan.entries.find((e) => e.path === 'random.bin')!;
  assert.ok(Math.abs(r.compressed - random.length) < 0.05 * random.length, `random.bin share ${r.compressed}`);
  const z = scan.entries.find((e) => e.path === 'zeros')!;
  assert.ok(z.compressed < 0.01 * (1 << 20), `zeros share ${z.compressed}`);
});

test('the estimate is the same whatever the chunks: odd sizes, in shared memory or not, or one piece', async () => {
  const text = Buffer.from(Array.from({ length: 60000 }, (_, i) => `row ${i * 7919 % 10007}: ${'abcdefgh'.repeat(i % 5)}\n`).join(''));
  const tarBytes = await tarOf([{ name: 'a.txt', body: text }, { name: 'b.bin', body: bytes(700_000, 3) }, { name: 'c.txt', body: text.subarray(0, 300_000) }]);
  const shared = (b: Buffer): Buffer => { const s = Buffer.from(new SharedArrayBuffer(b.length)); b.copy(s); return s; };
  const sizes = [1 << 20, 5000, 70_001, 16384, 3, 400_000];
  const cut = (wrap: (b: Buffer, i: number) => Buffer) => (async function* () {
    for (let at = 0, i = 0; at < tarBytes.length; i++) { const n = sizes[i % sizes.length]!; yield wrap(tarBytes.subarray(at, at + n), i); at += n; }
  })();
  const whole = await scanLayer((async function* () { yield tarBytes; })(), { keep: () => false, compressed: 'estimate' });
  const shares = (s: typeof whole): number[] => s.entries.map((e) => Math.round(e.compressed));
  assert.ok(whole.gzipBytes > 0.3 * 700_000, `${whole.gzipBytes}`);
  for (const wrap of [(b: Buffer): Buffer => shared(b), (b: Buffer, i: number): Buffer => (i % 2 ? shared(b) : b)]) {
    const s = await scanLayer(cut(wrap), { keep: () => false, compressed: 'estimate' });
    assert.equal(s.gzipBytes, whole.gzipBytes);
    assert.deepEqual(shares(s), shares(whole));
  }
});

test('an estimate cancelled mid-stream rejects with the reason, its deflates still under way ignored', async () => {
  const tarBytes = await tarOf([{ name: 'a.bin', body: bytes(3 << 20, 5) }, { name: 'b.bin', body: bytes(1 << 20, 6) }]);
  const whole = async (): Promise<number[]> => {
    const s = await scanLayer((async function* () { yield tarBytes; })(), { keep: () => false, compressed: 'estimate' });
    return [s.gzipBytes, ...s.entries.map((e) => Math.round(e.compressed))];
  };
  const before = await whole();
  const ac = new AbortController();
  const reason = new Error('cancelled by the test');
  let given = 0;
  const chunks = (async function* () {
    for (let at = 0; at < tarBytes.length; at += 256 << 10) {
      if (at >= 1 << 20) ac.abort(reason);
      given++;
      yield tarBytes.subarray(at, at + (256 << 10));
    }
  })();
  await assert.rejects(scanLayer(chunks, { keep: () => false, compressed: 'estimate', signal: ac.signal }), (e) => e === reason);
  assert.equal(given, 5);
  // The cancelled read left nothing behind that changes a later one.
  assert.deepEqual(await whole(), before);
  assert.equal(before.length, 3);
});

/** A docker-archive: layer blobs first (in reverse order), manifest.json last, as `docker save` streams. */
async function dockerArchive(layers: Buffer[]): Promise<Buffer> {
  const names = layers.map((l) => `blobs/sha256/${createHash('sha256').update(l).digest('hex')}`);
  const items = layers.map((l, i) => ({ name: names[i]!, body: l })).reverse();
  return tarOf([...items, { name: 'manifest.json', body: JSON.stringify([{ Config: 'blobs/sha256/cfg', RepoTags: ['owned/x:1'], Layers: names }]) }]);
}

test('an image archive applies layers in manifest order: whiteouts and opaque folders remove lower files', async () => {
  const root = tempDir('layers');
  const dir = tempDir('archive');
  try {
    makeRootfs(root);
    const base = await collect(packTree(root));
    const upper = await tarOf([
      { name: 'usr/bin/.wh.vim.tiny', body: '' },
      { name: 'usr/share/doc/foo/', type: 'directory' },
      { name: 'usr/share/doc/foo/.wh..wh..opq', body: '' },
      { name: 'usr/share/doc/foo/NEWS', body: bytes(10, 3) },
      { name: 'usr/bin/foo-copy', type: 'link', linkname: 'usr/bin/foo' },
    ]);
    const file = join(dir, 'image.tar');
    writeFileSync(file, await dockerArchive([base, upper]));
    const scanned = await readSource(parseSource(file, '/'));
    assert.deepEqual(scanned.tags, ['owned/x:1']);
    assert.equal(scanned.layers.length, 2);
    const report = buildReport(scanned, 'archive');
    assert.equal(pkg(report, 'vim-tiny').bytes, 0);
    assert.equal(pkg(report, 'foo').bytes, 50 + 2000);
    assert.equal(report.unowned.find((u) => u.path === '/usr/share/doc/foo')?.bytes, 10);
    assert.equal(report.totals.compressedBytes, gzip6(base) + gzip6(upper));
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an OCI archive with a gzip layer is read through index.json', async () => {
  const root = tempDir('oci');
  const dir = tempDir('oci-out');
  try {
    makeRootfs(root);
    const layer = gzipSync(await collect(packTree(root)));
    const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
    const manifest = JSON.stringify({ schemaVersion: 2, layers: [{ digest: `sha256:${sha(layer)}` }] });
    const index = JSON.stringify({ schemaVersion: 2, manifests: [{ digest: `sha256:${sha(manifest)}`, annotations: { 'org.opencontainers.image.ref.name': 'owned/oci:1' } }] });
    const file = join(dir, 'oci.tar');
    writeFileSync(file, await tarOf([
      { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
      { name: `blobs/sha256/${sha(layer)}`, body: layer },
      { name: `blobs/sha256/${sha(manifest)}`, body: manifest },
      { name: 'index.json', body: index },
    ]));
    const scanned = await readSource({ kind: 'archive', path: file });
    assert.deepEqual(scanned.tags, ['owned/oci:1']);
    assert.equal(pkg(buildReport(scanned, 'oci'), 'foo').bytes, EXPECTED.foo);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that is not an image archive, and a missing folder, are SourceErrors with the reason', async () => {
  const dir = tempDir('bad');
  try {
    const file = join(dir, 'notes.tar');
    writeFileSync(file, await tarOf([{ name: 'a.json', body: '{}' }]));
    await assert.rejects(readSource({ kind: 'archive', path: file }), (e: unknown) => e instanceof SourceError && /no layer in it/.test(e.message));
    writeFileSync(join(dir, 'junk'), 'not a tar at all');
    await assert.rejects(readSource({ kind: 'archive', path: join(dir, 'junk') }), SourceError);
    assert.throws(() => parseSource('./nowhere', dir), /no such folder or archive/);
    await assert.rejects(readSource({ kind: 'folder', path: join(dir, 'nowhere') }), /not a folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SBOMs: purls with the epoch encoded, the OS, SPDX 2.3 required fields, CycloneDX 1.5', async () => {
  const { report, root } = await folderReport();
  try {
    assert.equal(debPurl(report, 'foo', '1:2.0-1', 'amd64'), 'pkg:deb/debian/foo@1%3A2.0-1?arch=amd64&distro=debian-12');
    const spdx = toSpdx(report, { created: new Date('2024-01-02T03:04:05Z'), uuid: '00000000-0000-4000-8000-000000000000' }) as Record<string, any>;
    for (const k of ['spdxVersion', 'dataLicense', 'SPDXID', 'name', 'documentNamespace', 'creationInfo']) assert.ok(spdx[k], k);
    assert.equal(spdx.spdxVersion, 'SPDX-2.3');
    assert.equal(spdx.creationInfo.created, '2024-01-02T03:04:05Z');
    const names = spdx.packages.map((p: any) => p.name);
    assert.deepEqual(names, ['debian', 'foo', 'libc6', 'libbar', 'vim-tiny', 'coreutils']);
    for (const p of spdx.packages) for (const k of ['name', 'SPDXID', 'downloadLocation']) assert.ok(p[k], `${p.name}.${k}`);
    assert.equal(new Set(spdx.packages.map((p: any) => p.SPDXID)).size, spdx.packages.length);
    const libbar = spdx.packages.find((p: any) => p.name === 'libbar');
    assert.equal(libbar.externalRefs[0].referenceLocator, 'pkg:deb/debian/libbar@1.0-1?arch=amd64&distro=debian-12');
    assert.equal(libbar.sourceInfo, 'built from source package bar 1.0-1');
    const cdx = toCycloneDx(report) as Record<string, any>;
    assert.equal(cdx.bomFormat, 'CycloneDX');
    assert.equal(cdx.specVersion, '1.5');
    assert.match(cdx.serialNumber, /^urn:uuid:[0-9a-f-]{36}$/);
    assert.deepEqual(cdx.components.map((c: any) => c.name), ['foo', 'libc6', 'libbar', 'vim-tiny', 'coreutils', 'debian']);
    assert.equal(cdx.components.at(-1).type, 'operating-system');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('JSON has exactly the documented shape; CSV quotes; limits name what is over', async () => {
  const { report, root } = await folderReport();
  try {
    const j = reportJson(report) as Record<string, any>;
    assert.deepEqual(Object.keys(j), ['version', 'source', 'totals', 'packages', 'unowned']);
    assert.deepEqual(Object.keys(j.totals), ['files', 'bytes', 'compressedBytes', 'removableBytes']);
    assert.deepEqual(Object.keys(j.packages[0]), ['name', 'version', 'bytes', 'declaredBytes', 'compressedBytes', 'freesBytes', 'why', 'class']);
    assert.deepEqual(Object.keys(j.unowned[0]), ['path', 'bytes']);
    const csv = reportCsv(report).split('\r\n');
    assert.equal(csv[0], 'name,version,arch,bytes,declaredBytes,compressedBytes,freesBytes,class,why');
    assert.match(csv[1]!, new RegExp(`^foo,1:2\\.0-1,amd64,2170,3072,\\d+,${report.packages[0]!.freesBytes},,installed on purpose$`));
    assert.equal(report.packages[0]!.name, 'foo');
    assert.deepEqual(overLimits(report, { size: 1_000_000 }), []);
    assert.deepEqual(overLimits(report, { packages: new Map([['foo', 2000]]) }), ['package foo is 2.17 kB (2170 bytes), over the limit of 2.00 kB']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('compare: added, removed and grown packages, total delta', async () => {
  const { report: a, root } = await folderReport();
  try {
    const b: Report = { ...a, source: 'b', totals: { ...a.totals, bytes: a.totals.bytes - 400 + 50 },
      packages: [...a.packages.filter((p) => p.name !== 'vim-tiny').map((p) => (p.name === 'libbar' ? { ...p, bytes: 750 } : p)),
        { ...a.packages[0]!, name: 'nano', bytes: 0 }] };
    const c = compareReports(a, b);
    assert.deepEqual(c.added, ['nano']);
    assert.deepEqual(c.removed, ['vim-tiny']);
    assert.deepEqual(c.packages.map((p) => [p.name, p.delta]), [['vim-tiny', -400], ['libbar', 50], ['nano', 0]]);
    assert.equal(c.totals.bytes, -350);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('control paragraphs and dependency fields parse as dpkg writes them', () => {
  const paras = parseControl('Package: a\nDescription: x\n more\n\n\nPackage: b\n');
  assert.deepEqual(paras, [{ package: 'a', description: 'x\nmore' }, { package: 'b' }]);
  assert.deepEqual(parseDepends('libc6 (>= 2.34), libx | liby:any [amd64], perl:any <!nocheck>'), [['libc6'], ['libx', 'liby'], ['perl']]);
  assert.equal(keepContent('var/lib/dpkg/info/libc6:amd64.list'), true);
  assert.equal(keepContent('var/lib/dpkg/info/libc6.postinst'), false);
  assert.equal(keepContent('usr/lib/os-release'), true);
});

test('normPath (which returns a normal path as it is) equals taking every path apart: fixed cases and seeded random ones', () => {
  const apart = (p: string): string => {
    const out: string[] = [];
    for (const c of p.split('/')) { if (c === '' || c === '.') continue; if (c === '..') out.pop(); else out.push(c); }
    return out.join('/');
  };
  const fixed: [string, string][] = [['./usr/lib/x', 'usr/lib/x'], ['/etc/', 'etc'], ['a//b/./c/../d', 'a/b/d'], ['.wh..wh..opq', '.wh..wh..opq'], ['a/...', 'a/...'], ['./', ''], ['..a/b..', '..a/b..']];
  for (const [p, want] of fixed) assert.equal(normPath(p), want, p);
  const random = rng(11);
  for (let i = 0; i < 50_000; i++) {
    const p = Array.from({ length: Math.floor(random() * 10) }, () => 'a./b'[Math.floor(random() * 4)]).join('');
    assert.equal(normPath(p), apart(p), JSON.stringify(p));
  }
});
