import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBuildArgs } from '../../../src/cli/build';
import { inputsSha256, PLAN_VERSION, recordedLayerGzipSize, recordLayerGzipSize } from '../../../src/core/build/inputs';
import { planBuild, sourceDateEpoch } from '../../../src/core/build/plan';
import { FINALIZE, SOURCE_DATE, sourceDateFile } from '../../../src/core/build/scripts';
import { LABEL_INPUTS_SHA256 } from '../../../src/core/engine/labels';
import { writeLayer } from '../../../src/core/engine/layer';
import { walkTree } from '../../../src/core/engine/tarWalk';
import type { Recipe } from '../../../src/core/recipe/types';

const RECIPE: Recipe = { image: 'owned/x:1', distro: 'debian', suite: 'bookworm', arch: 'amd64' };

const release = (origin: string, codename: string, date: string): string =>
  `Origin: ${origin}\nLabel: ${origin}\nSuite: x\nCodename: ${codename}\nDate: ${date}\nArchitectures: amd64\n`;

function withDir(fn: (d: string) => void): void {
  const d = mkdtempSync(join(tmpdir(), 'ownbase-repro-'));
  try { fn(d); } finally { rmSync(d, { recursive: true, force: true }); }
}

const sh = (program: string, ...args: string[]) => spawnSync('sh', ['-c', program, 'sh', ...args], { encoding: 'utf8' });

test('SOURCE_DATE: the newest Release date of the archives in the rootfs; the cache\'s own repository is skipped', () => withDir((d) => {
  const lists = join(d, 'rootfs/var/lib/apt/lists');
  mkdirSync(lists, { recursive: true });
  writeFileSync(join(lists, 'm_debian_dists_bookworm_InRelease'), release('Debian', 'bookworm', 'Sat, 09 Nov 2024 10:00:00 UTC'));
  writeFileSync(join(lists, 'm_debian-security_dists_bookworm-security_InRelease'), release('Debian', 'bookworm-security', 'Mon, 01 Dec 2026 08:00:00 UTC'));
  writeFileSync(join(lists, '_var_cache_o_dists_bookworm_Release'), release('ownbase', 'bookworm', 'Wed, 02 Dec 2026 01:00:00 +0000'));
  const file = sourceDateFile(join(d, 'rootfs'));
  const r = sh(SOURCE_DATE, join(d, 'rootfs'), file, 'bookworm', '', '');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(file, 'utf8'), `${Date.UTC(2026, 11, 1, 8) / 1000}\n`);
  assert.match(r.stdout, /^SOURCE_DATE_EPOCH=1796112000 \(2026-12-01 08:00:00 UTC/);
}));

test('SOURCE_DATE: without archive lists in the rootfs, the release\'s own Release in the cache; none at all writes nothing', () => withDir((d) => {
  mkdirSync(join(d, 'rootfs/var/lib/apt/lists'), { recursive: true });
  mkdirSync(join(d, 'cache/lists'), { recursive: true });
  writeFileSync(join(d, 'cache/lists/m_debian_dists_bookworm_InRelease'), release('Debian', 'bookworm', 'Sat, 09 Nov 2024 10:00:00 UTC'));
  writeFileSync(join(d, 'cache/lists/m_debian_dists_bookworm-updates_InRelease'), release('Debian', 'bookworm-updates', 'Mon, 01 Dec 2026 08:00:00 UTC'));
  const file = join(d, 'epoch');
  assert.equal(sh(SOURCE_DATE, join(d, 'rootfs'), file, 'bookworm', join(d, 'cache'), '').status, 0);
  assert.equal(readFileSync(file, 'utf8'), `${Date.UTC(2024, 10, 9, 10) / 1000}\n`, 'the updates suite a later build fetched does not count');
  const none = sh(SOURCE_DATE, join(d, 'rootfs'), file, 'bookworm', '', '');
  assert.equal(none.status, 0);
  assert.equal(existsSync(file), false);
  assert.match(none.stderr, /no archive Release date found/);
}));

test('FINALIZE empties machine-id and removes the logs and caches that hold the build\'s time', () => withDir((d) => {
  const r = join(d, 'rootfs');
  for (const f of ['etc/machine-id', 'var/cache/ldconfig/aux-cache', 'var/log/dpkg.log', 'var/log/alternatives.log', 'var/log/apt/history.log',
    'var/log/apt/term.log', 'var/cache/apt/pkgcache.bin', 'var/lib/dpkg/status-old', 'var/lib/dpkg/status', 'etc/hostname']) {
    mkdirSync(join(r, f, '..'), { recursive: true });
    writeFileSync(join(r, f), 'x\n');
  }
  const out = sh(FINALIZE, r, '', '', '', '');
  assert.equal(out.status, 0, out.stderr);
  assert.equal(readFileSync(join(r, 'etc/machine-id'), 'utf8'), '');
  for (const gone of ['var/cache/ldconfig/aux-cache', 'var/log/dpkg.log', 'var/log/alternatives.log', 'var/log/apt/history.log', 'var/log/apt/term.log',
    'var/cache/apt/pkgcache.bin', 'var/lib/dpkg/status-old', 'etc/hostname']) assert.equal(existsSync(join(r, gone)), false, gone);
  assert.equal(readFileSync(join(r, 'var/lib/dpkg/status'), 'utf8'), 'x\n');
}));

test('the tar writer clamps mtimes to SOURCE_DATE_EPOCH: a file touched later gives the same layer', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ownbase-repro-'));
  try {
    mkdirSync(join(d, 'etc'));
    writeFileSync(join(d, 'etc/os-release'), 'ID=debian\n');
    writeFileSync(join(d, 'old'), 'from a .deb\n');
    const epoch = 1_700_000_000;
    utimesSync(join(d, 'old'), epoch - 86_400, epoch - 86_400);
    const first = await writeLayer(d, { clampMtime: epoch });
    const entries = new Map<string, number>();
    for await (const e of walkTree(d, { clampMtime: epoch })) entries.set(e.name, e.mtime.getTime() / 1000);
    assert.deepEqual([...entries], [['etc/', epoch], ['etc/os-release', epoch], ['old', epoch - 86_400]]);
    utimesSync(join(d, 'etc/os-release'), new Date(), new Date());
    assert.equal((await writeLayer(d, { clampMtime: epoch })).diffId, first.diffId);
    assert.notEqual((await writeLayer(d)).diffId, first.diffId, 'unclamped, the touched file changes the layer');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('the inputs hash: recipe, lock, arch and plan version each change it; it becomes the image label', () => {
  const a = inputsSha256({ recipeSha256: 'ab', arch: 'amd64' });
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(inputsSha256({ recipeSha256: 'ab', arch: 'amd64', planVersion: PLAN_VERSION }), a);
  const others = [inputsSha256({ recipeSha256: 'ac', arch: 'amd64' }), inputsSha256({ recipeSha256: 'ab', arch: 'arm64' }),
    inputsSha256({ recipeSha256: 'ab', arch: 'amd64', lockSha256: 'cd' }), inputsSha256({ recipeSha256: 'ab', arch: 'amd64', planVersion: PLAN_VERSION + 1 })];
  assert.equal(new Set([a, ...others]).size, 5);
  const p = planBuild(RECIPE, { hostArch: 'amd64', workdir: '/dev/shm/ownbase-t', inputsSha256: a });
  assert.equal(p.image.labels[LABEL_INPUTS_SHA256], a);
});

test('the plan reads the source-date step\'s file; a lock\'s epoch replaces the step', () => withDir((d) => {
  const p = planBuild(RECIPE, { hostArch: 'amd64', workdir: join(d, 'w') });
  assert.deepEqual(p.steps.find((s) => s.id === 'source-date')?.argv.slice(4), [join(d, 'w/rootfs'), join(d, 'w/rootfs.source-date-epoch'), 'bookworm', '', '']);
  assert.equal(sourceDateEpoch(p), undefined);
  mkdirSync(join(d, 'w'));
  writeFileSync(p.sourceDate.file, '1700000000\n');
  assert.equal(sourceDateEpoch(p), 1_700_000_000);
  const locked = planBuild(RECIPE, { hostArch: 'amd64', workdir: join(d, 'w'), sourceDateEpoch: 1_600_000_000 });
  assert.equal(locked.steps.some((s) => s.id === 'source-date'), false);
  assert.equal(sourceDateEpoch(locked), 1_600_000_000);
}));

test('--force is its own flag; the layer size recorded for an up-to-date rebuild', () => withDir((d) => {
  assert.deepEqual(parseBuildArgs(['r.yaml', '--force']), { recipe: 'r.yaml', force: true, noCache: false });
  assert.deepEqual(parseBuildArgs(['r.yaml', '--no-cache']), { recipe: 'r.yaml', noCache: true });
  recordLayerGzipSize(d, 'sha256:abc', 1234);
  assert.equal(recordedLayerGzipSize(d, 'sha256:abc'), 1234);
  assert.equal(recordedLayerGzipSize(d, 'sha256:def'), 0);
}));
