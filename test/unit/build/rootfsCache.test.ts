import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planBuild, type PlanOptions } from '../../../src/core/build/plan';
import { archiveState, indexLines, probeRootfsCache, releaseIndexes, releaseUrls, rootfsCacheKey, rootfsCacheRoot, ROOTFS_CACHE_KEEP } from '../../../src/core/build/rootfsCache';
import { FINALIZE, ROOTFS_RESTORE, ROOTFS_SAVE } from '../../../src/core/build/scripts';
import type { LockFile } from '../../../src/core/build/lock';
import type { Plan } from '../../../src/core/build/types';
import type { Recipe } from '../../../src/core/recipe/types';

const MIRROR = 'http://mirror.invalid/debian';
const SECURITY = 'http://security.invalid/debian-security';
const CACHE = '/var/cache/ownbase/debian/bookworm/amd64';
const BASE: PlanOptions = { hostArch: 'amd64', workdir: '/dev/shm/ownbase-t', hostMirror: MIRROR, hostSecurityMirror: SECURITY, cache: { dir: CACHE, warm: true } };
const R = '/dev/shm/ownbase-t/rootfs';
const RECIPE: Recipe = {
  image: 'owned/bookworm:12', distro: 'debian', suite: 'bookworm', arch: 'amd64', variant: 'minbase', packages: ['ca-certificates'],
  config: { cmd: ['/bin/bash'], env: { LANG: 'C.UTF-8' } },
};
const ENTRY = '/var/cache/ownbase/rootfs/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const ids = (p: Plan): string[] => p.steps.map((s) => s.id);
const step = (p: Plan, id: string) => p.steps.find((s) => s.id === id)!;
const RELEASES = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)];
const keyOf = (recipe: Recipe, extra: { lock?: LockFile; releases?: string[] } = { releases: RELEASES }): string =>
  rootfsCacheKey({ plan: planBuild(recipe, BASE), ...extra });

test('a miss keeps the rootfs after the packages and the source date, before slim; the hit extracts it and runs only slim, remove, finalize, import', () => {
  const miss = planBuild(RECIPE, { ...BASE, rootfsCache: { dir: ENTRY, key: ENTRY.slice(-64), hit: false, finalizeCache: '' } });
  assert.deepEqual(ids(miss), ['prepare', 'bootstrap', 'count-updates', 'cache', 'source-date', 'rootfs-save', 'slim', 'finalize', 'import']);
  assert.deepEqual(step(miss, 'rootfs-save').argv, ['sh', '-c', ROOTFS_SAVE, 'sh', R, ENTRY, String(ROOTFS_CACHE_KEEP), CACHE, 'yes']);
  assert.equal(step(miss, 'rootfs-save').kind, 'cache');

  const hit = planBuild({ ...RECIPE, remove: ['/usr/share/zoneinfo/*'] }, { ...BASE, rootfsCache: { dir: ENTRY, key: ENTRY.slice(-64), hit: true, finalizeCache: '/var/cache/other' } });
  assert.deepEqual(ids(hit), ['prepare', 'rootfs-restore', 'slim', 'remove', 'finalize', 'import']);
  assert.deepEqual(step(hit, 'rootfs-restore').argv, ['sh', '-c', ROOTFS_RESTORE, 'sh', R, ENTRY]);
  assert.equal(step(hit, 'rootfs-restore').title, 'rootfs from cache (key 0123456789abcdef)');
  assert.deepEqual(step(hit, 'finalize').argv.slice(0, 6), ['sh', '-c', FINALIZE, 'sh', R, '/var/cache/other'],
    'finalize removes what the snapshotted build\'s package repository left, as that build would have');
  assert.equal(step(hit, 'import').argv[6], `${R}.updates-applied`, 'the restored upgrade count labels the image');

  const slimOff = planBuild({ ...RECIPE, slim: false }, { ...BASE, rootfsCache: { dir: ENTRY, key: ENTRY.slice(-64), hit: false, finalizeCache: '' } });
  assert.equal(step(slimOff, 'rootfs-save').argv.at(-1), 'no', 'without slim the apt lists stay in the image, so in the cache too');
});

test('the key: config, remove, slim, image name and checks leave it; packages, suite, arch, variant, builder, lock and archive state change it; a warm cache does not', () => {
  const k = keyOf(RECIPE);
  assert.match(k, /^[0-9a-f]{64}$/);
  for (const same of [
    { ...RECIPE, config: { cmd: ['/bin/sh'], env: { LANG: 'C.UTF-8', FOO: 'bar' }, user: '1000', workdir: '/srv', labels: { a: 'b' } } },
    { ...RECIPE, remove: ['/usr/share/zoneinfo/*'] }, { ...RECIPE, slim: false }, { ...RECIPE, image: 'other/name:1' },
    { ...RECIPE, verify: { files: [{ path: '/etc/os-release' }] } } as Recipe,
    { ...RECIPE, packages: ['ca-certificates', 'ca-certificates'] },
  ]) assert.equal(keyOf(same), k, JSON.stringify(same));
  const changed = [
    keyOf({ ...RECIPE, packages: ['ca-certificates', 'curl'] }), keyOf({ ...RECIPE, packages: [] }), keyOf({ ...RECIPE, suite: 'trixie' }),
    keyOf({ ...RECIPE, arch: 'arm64' }), keyOf({ ...RECIPE, variant: 'buildd' }), keyOf({ ...RECIPE, updates: false }),
    keyOf({ ...RECIPE, components: ['main', 'contrib'] }), keyOf(RECIPE, { releases: [RELEASES[0]!, RELEASES[1]!, 'd'.repeat(64)] }),
    rootfsCacheKey({ plan: planBuild(RECIPE, { ...BASE, cache: { dir: CACHE, warm: false }, builder: 'debootstrap' }), releases: RELEASES }),
  ];
  assert.equal(new Set([k, ...changed]).size, changed.length + 1, 'each change gives its own key');
  // A warm build is mmdebstrap's, seeded from the cache but installing what the archives say: a cold mmdebstrap build of
  // the same archive state kept the same rootfs, so a --force rebuild on the warm cache restores it.
  assert.equal(rootfsCacheKey({ plan: planBuild(RECIPE, { ...BASE, cache: { dir: CACHE, warm: false }, builder: 'mmdebstrap' }), releases: RELEASES }), k);

  const pkg = { name: 'tzdata', version: '2025b-0+deb12u1', arch: 'all', source: 'tzdata', filename: 'pool/main/t/tzdata/x.deb', size: 1, sha256: 'e'.repeat(64) };
  const lock: LockFile = { version: 1, archive: { distro: 'debian', suite: 'bookworm', components: ['main'], sourceDateEpoch: 1700000000 }, packages: [pkg] };
  const locked = keyOf(RECIPE, { lock });
  assert.equal(keyOf(RECIPE, { lock, releases: ['x'] }), locked, 'with a lock the archive\'s state is not asked');
  assert.equal(keyOf(RECIPE, { lock: { ...lock, archive: { ...lock.archive, updatesApplied: 3 } } }), locked, 'only the packages and the date decide');
  assert.notEqual(keyOf(RECIPE, { lock: { ...lock, packages: [{ ...pkg, sha256: 'f'.repeat(64) }] } }), locked, 'another .deb, another rootfs');
});

test('the Release files read for the key: the release and its updates suite on the mirror, the security suite on the security archive', () => {
  assert.deepEqual(releaseUrls(planBuild(RECIPE, BASE), `${MIRROR}/`), [
    `${MIRROR}/dists/bookworm/InRelease`, `${MIRROR}/dists/bookworm-updates/InRelease`, `${SECURITY}/dists/bookworm-security/InRelease`,
  ]);
  assert.deepEqual(releaseUrls(planBuild({ ...RECIPE, updates: false }, BASE), MIRROR), [`${MIRROR}/dists/bookworm/InRelease`]);
});

/** An InRelease as an archive signs it: its date, the indices' SHA256 lines, a signature. */
const inRelease = (date: string, lines: Record<string, string>): string => [
  '-----BEGIN PGP SIGNED MESSAGE-----', 'Hash: SHA512', '', 'Origin: Debian', 'Codename: bookworm-security', `Date: ${date}`,
  `Valid-Until: ${date} +7d`, 'Components: main contrib', 'MD5Sum:', ...Object.entries(lines).map(([p, h]) => ` ${h.slice(0, 32)} 123 ${p}`),
  'SHA256:', ...Object.entries(lines).map(([p, h]) => ` ${h} ${h.length * 10} ${p}`),
  '-----BEGIN PGP SIGNATURE-----', '', `sig-${date}`, '-----END PGP SIGNATURE-----', '',
].join('\n');

test('the archive\'s state is what its Release files say of the indices the build reads: signed again, or another index changed, the key holds', async () => {
  assert.deepEqual(releaseIndexes(planBuild(RECIPE, BASE)), ['main/binary-amd64/Packages']);
  assert.deepEqual(releaseIndexes(planBuild({ ...RECIPE, components: ['main', 'contrib'] }, BASE)), ['main/binary-amd64/Packages', 'contrib/binary-amd64/Packages']);
  const lines = { 'main/binary-amd64/Packages': 'a'.repeat(64), 'main/binary-amd64/Packages.xz': 'b'.repeat(64), 'main/binary-arm64/Packages': 'c'.repeat(64), 'contrib/binary-amd64/Packages': 'd'.repeat(64) };
  assert.deepEqual(indexLines(inRelease('Mon', lines), ['main/binary-amd64/Packages']), [`${'a'.repeat(64)} 640 main/binary-amd64/Packages`, `${'b'.repeat(64)} 640 main/binary-amd64/Packages.xz`],
    'its SHA256 lines only (not MD5Sum\'s), the compressed index too');
  assert.equal(indexLines(inRelease('Mon', lines), ['non-free/binary-amd64/Packages']), undefined);
  const d = mkdtempSync(join(tmpdir(), 'ownbase-archive-state-'));
  try {
    const state = async (name: string, text: string, indexes = ['main/binary-amd64/Packages']): Promise<string | undefined> => {
      writeFileSync(join(d, name), text);
      return (await archiveState([`file://${join(d, name)}`], indexes))?.[0];
    };
    const monday = await state('mon', inRelease('Mon', lines));
    assert.match(monday ?? '', /^[0-9a-f]{64}$/);
    assert.equal(await state('tue', inRelease('Tue', lines)), monday, 'signed again with a new date and the same indices');
    assert.equal(await state('arm', inRelease('Tue', { ...lines, 'main/binary-arm64/Packages': 'e'.repeat(64), 'contrib/binary-amd64/Packages': 'f'.repeat(64) })), monday,
      'another architecture\'s or component\'s index');
    assert.notEqual(await state('new', inRelease('Tue', { ...lines, 'main/binary-amd64/Packages.xz': 'e'.repeat(64) })), monday, 'a package published in the index read');
    // A Release file listing none of the indices (a flat repository): its whole bytes, so every change counts.
    const flat = await state('flat', inRelease('Mon', lines), ['main/binary-riscv64/Packages']);
    assert.notEqual(await state('flat2', inRelease('Tue', lines), ['main/binary-riscv64/Packages']), flat);
    assert.equal(await archiveState([`file://${join(d, 'missing')}`], ['main/binary-amd64/Packages']), undefined, 'unreadable: no key, no rootfs cache');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

function sh(program: string, ...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('sh', ['-c', program, 'sh', ...args], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('ROOTFS_SAVE then ROOTFS_RESTORE give the same files (modes, links, sub-second mtimes, companions); the cache keeps the newest entries only', () => {
  const d = mkdtempSync(join(tmpdir(), 'ownbase-rootfscache-'));
  try {
    const r = join(d, 'work/rootfs');
    mkdirSync(join(r, 'etc'), { recursive: true });
    mkdirSync(join(r, 'var/lib/apt/lists/partial'), { recursive: true });
    mkdirSync(join(r, 'var/cache/apt/archives'), { recursive: true });
    writeFileSync(join(r, 'etc/os-release'), 'ID=debian\n', { mode: 0o644 });
    writeFileSync(join(r, 'etc/secret'), 's', { mode: 0o600 });
    linkSync(join(r, 'etc/os-release'), join(r, 'etc/hard'));
    symlinkSync('os-release', join(r, 'etc/soft'));
    utimesSync(join(r, 'etc/os-release'), 1700000000.25, 1700000000.25);
    writeFileSync(join(r, 'var/lib/apt/lists/x_Packages'), 'P');
    writeFileSync(join(r, 'var/cache/apt/archives/a_1_all.deb'), 'deb');
    writeFileSync(`${r}.source-date-epoch`, '1700000000\n');
    writeFileSync(`${r}.updates-applied`, '4\n');
    const cacheRoot = join(d, 'cache');
    const entry = (k: string): string => join(rootfsCacheRoot(cacheRoot), k.repeat(64));

    const saved = sh(ROOTFS_SAVE, r, entry('a'), '2', '/var/cache/repo', 'yes');
    assert.equal(saved.status, 0, saved.out);
    assert.match(saved.out, /^rootfs cached \(\d+ MB, key a{64}\); the cache keeps the 2 most recently used$/m);
    assert.deepEqual(readdirSync(entry('a')).sort(), ['finalize-cache', 'rootfs.tar', 'source-date-epoch', 'updates-applied']);
    const probe = probeRootfsCache(cacheRoot, 'a'.repeat(64));
    assert.deepEqual(probe, { dir: entry('a'), key: 'a'.repeat(64), hit: true, finalizeCache: '/var/cache/repo' });
    assert.equal(probeRootfsCache(cacheRoot, 'a'.repeat(64), ['packages']).hit, false, 'a --write-lock build needs the installed packages');
    assert.equal(probeRootfsCache(cacheRoot, 'b'.repeat(64)).hit, false);

    const r2 = join(d, 'work2/rootfs');
    mkdirSync(r2, { recursive: true });
    const restored = sh(ROOTFS_RESTORE, r2, entry('a'));
    assert.equal(restored.status, 0, restored.out);
    assert.equal(restored.out.trim(), `rootfs from cache (key ${'a'.repeat(64)})`);
    assert.equal(readFileSync(join(r2, 'etc/os-release'), 'utf8'), 'ID=debian\n');
    assert.equal(statSync(join(r2, 'etc/secret')).mode & 0o777, 0o600);
    assert.equal(statSync(join(r2, 'etc/hard')).ino, statSync(join(r2, 'etc/os-release')).ino, 'hard links stay hard links');
    assert.equal(readlinkSync(join(r2, 'etc/soft')), 'os-release');
    assert.equal(statSync(join(r2, 'etc/os-release'), { bigint: true }).mtimeNs, 1700000000250000000n, 'sub-second mtimes kept');
    assert.equal(existsSync(join(r2, 'var/lib/apt/lists/x_Packages')), false, 'apt lists are not kept: slim deletes them');
    assert.equal(existsSync(join(r2, 'var/cache/apt/archives/a_1_all.deb')), false, '.debs are not kept: slim deletes them');
    assert.ok(lstatSync(join(r2, 'var/lib/apt/lists')).isDirectory());
    assert.equal(readFileSync(`${r2}.source-date-epoch`, 'utf8'), '1700000000\n');
    assert.equal(readFileSync(`${r2}.updates-applied`, 'utf8'), '4\n');
    assert.equal(existsSync(`${r2}.packages`), false);

    // Prune: the entries used least recently go first (a restore marks one used).
    utimesSync(entry('a'), 1000, 1000);
    assert.equal(sh(ROOTFS_SAVE, r, entry('b'), '2', '', 'no').status, 0);
    sh(ROOTFS_RESTORE, join(d, 'work2/rootfs'), entry('a'));
    utimesSync(entry('b'), 2000, 2000);
    assert.equal(sh(ROOTFS_SAVE, r, entry('c'), '2', '', 'no').status, 0);
    assert.deepEqual(readdirSync(rootfsCacheRoot(cacheRoot)).sort(), ['.lock', 'a'.repeat(64), 'c'.repeat(64)]);

    // A rootfs tar cannot read leaves no entry and no temporary: a warning, and the build goes on.
    const failed = sh(ROOTFS_SAVE, join(d, 'missing'), entry('d'), '2', '', 'no');
    assert.equal(failed.status, 0);
    assert.match(failed.out, /the rootfs is not cached: tar failed/);
    assert.deepEqual(readdirSync(rootfsCacheRoot(cacheRoot)).sort(), ['.lock', 'a'.repeat(64), 'c'.repeat(64)]);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
