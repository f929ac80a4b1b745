// Alpine: files attributed through lib/apk/db/installed (a hand-written database in a temp rootfs), world
// as what was asked for, so: and cmd: dependencies resolved through provides, apk purls in the SBOMs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildReport } from '../../../src/core/inspect/report';
import { toCycloneDx, toSpdx } from '../../../src/core/inspect/sbom';
import { readSource } from '../../../src/core/inspect/sources';
import { cycloneDx15Problems, spdx23Problems } from './sbomCheck';
import { tempDir } from './support';

const INSTALLED = `C:Q1abc=
P:musl
V:1.2.4-r2
A:x86_64
S:383152
I:622592
T:the musl c library (libc) implementation
o:musl
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1def=
R:libc.musl-x86_64.so.1

C:Q1ghi=
P:busybox
V:1.36.1-r5
A:x86_64
I:924000
o:busybox
D:so:libc.musl-x86_64.so.1
p:cmd:sh=1.36.1-r5 /bin/sh
F:bin
R:busybox
F:etc
R:securetty

C:Q1jkl=
P:zlib
V:1.3.1-r0
A:x86_64
I:100000
o:zlib
D:so:libc.musl-x86_64.so.1
p:so:libz.so.1=1.3.1
F:lib
R:libz.so.1.3.1

C:Q1mno=
P:curl
V:8.5.0-r0
A:x86_64
I:250000
o:curl
D:!curl-legacy so:libc.musl-x86_64.so.1 so:libz.so.1 cmd:sh
F:usr/bin
R:curl
`;

const FILES: Record<string, number> = {
  'lib/ld-musl-x86_64.so.1': 600, 'bin/busybox': 900, 'etc/securetty': 30, 'lib/libz.so.1.3.1': 100, 'usr/bin/curl': 250,
  'etc/motd': 7,
};

test('an Alpine rootfs: files go to the packages lib/apk/db/installed lists, world is what was asked for, frees follows so: and cmd: providers', async () => {
  const root = tempDir('apk');
  try {
    const put = (p: string, body: string | Buffer): void => { mkdirSync(dirname(join(root, p)), { recursive: true }); writeFileSync(join(root, p), body); };
    put('lib/apk/db/installed', INSTALLED);
    put('etc/apk/world', 'busybox\ncurl>=8\n');
    put('etc/os-release', 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n');
    for (const [p, n] of Object.entries(FILES)) put(p, Buffer.alloc(n, 7));
    // The musl loader's usual symlink: a link, not a file of its own.
    symlinkSync('ld-musl-x86_64.so.1', join(root, 'lib/libc.musl-x86_64.so.1'));
    const report = buildReport(await readSource({ kind: 'folder', path: root }), 'alpine');
    assert.equal(report.packageManager, 'apk');
    const rows = Object.fromEntries(report.packages.map((p) => [p.name, [p.version, p.bytes, p.declaredBytes, p.source, p.why, [...p.frees].sort().join(' ')]]));
    assert.deepEqual(rows, {
      musl: ['1.2.4-r2', 600, 622592, 'musl', 'needed by busybox (asked for by the recipe)', 'musl'],
      busybox: ['1.36.1-r5', 930, 924000, 'busybox', 'asked for by the recipe', 'busybox'],
      zlib: ['1.3.1-r0', 100, 100000, 'zlib', 'needed by curl (asked for by the recipe)', 'zlib'],
      curl: ['8.5.0-r0', 250, 250000, 'curl', 'asked for by the recipe', 'curl zlib'],
    });
    assert.deepEqual(report.packages.find((p) => p.name === 'busybox')!.paths, ['/bin/busybox', '/etc/securetty']);
    // Owned by none: the database itself, world, os-release, motd.
    assert.equal(report.totals.bytes, report.packages.reduce((s, p) => s + p.bytes, 0) + report.unowned.reduce((s, u) => s + u.bytes, 0));
    assert.ok(report.unowned.some((u) => u.path === '/etc' && u.files === 2), JSON.stringify(report.unowned));
    const cdx = toCycloneDx(report) as { components: { name: string; purl?: string }[] };
    assert.equal(cdx.components.find((c) => c.name === 'curl')!.purl, 'pkg:apk/alpine/curl@8.5.0-r0?arch=x86_64&distro=alpine-3.19.1');
    assert.equal(await cycloneDx15Problems(cdx), null);
    assert.deepEqual(spdx23Problems(toSpdx(report) as Record<string, unknown>), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a record without P: is skipped; a database without records gives no packages, and every file by folder', async () => {
  const root = tempDir('apk-empty');
  try {
    mkdirSync(join(root, 'lib/apk/db'), { recursive: true });
    writeFileSync(join(root, 'lib/apk/db/installed'), 'V:1\nF:x\nR:y\n\n\n');
    mkdirSync(join(root, 'x'));
    writeFileSync(join(root, 'x/y'), 'hello');
    const report = buildReport(await readSource({ kind: 'folder', path: root }), 'empty');
    assert.equal(report.packageManager, 'apk');
    assert.deepEqual(report.packages, []);
    assert.deepEqual(report.unowned.map((u) => [u.path, u.bytes]).sort(), [['/lib/apk/db', 14], ['/x', 5]]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
