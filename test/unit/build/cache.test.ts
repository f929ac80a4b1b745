import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheCovers, packageNames, probeCache } from '../../../src/core/build/cache';
import { CACHE_SAVE, COUNT_UPDATES, REMOVE, SEED_CACHE, SEED_CACHE_ENV } from '../../../src/core/build/scripts';
import type { Recipe } from '../../../src/core/recipe/types';

const RECIPE: Recipe = { image: 'owned/x:1', distro: 'debian', suite: 'bookworm', packages: ['ca-certificates'] };

// The archive's stanzas: apt is `required` there, though its .deb says `important` (the dpkg-scanpackages pitfall).
const ARCHIVE_PACKAGES = `Package: apt
Version: 2.6.1
Installed-Size: 4232
Architecture: amd64
Priority: required
Description: commandline package manager
 This package provides commandline tools.
Filename: pool/main/a/apt/apt_2.6.1_amd64.deb
SHA256: aaaa

Package: bsdutils
Source: util-linux (2.38.1-5)
Version: 1:2.38.1-5+deb12u3
Architecture: amd64
Essential: yes
Priority: required
Filename: pool/main/u/util-linux/bsdutils_2.38.1-5+deb12u3_amd64.deb

Package: not-downloaded
Version: 1.0
Architecture: all
Priority: optional
Filename: pool/main/n/nd/not-downloaded_1.0_all.deb

Package: ca-certificates
Version: 20230311+deb12u1
Architecture: all
Priority: optional
Filename: pool/main/c/ca-certificates/ca-certificates_20230311+deb12u1_all.deb
`;

function fakeRootfs(): string {
  const r = mkdtempSync(join(tmpdir(), 'ownbase-rootfs-'));
  mkdirSync(join(r, 'var/cache/apt/archives/partial'), { recursive: true });
  mkdirSync(join(r, 'var/lib/apt/lists'), { recursive: true });
  mkdirSync(join(r, 'etc/apt'), { recursive: true });
  for (const f of ['apt_2.6.1_amd64.deb', 'bsdutils_1%3a2.38.1-5+deb12u3_amd64.deb', 'ca-certificates_20230311+deb12u1_all.deb']) {
    writeFileSync(join(r, 'var/cache/apt/archives', f), `deb ${f}`);
  }
  writeFileSync(join(r, 'var/lib/apt/lists/mirror.invalid_debian_dists_bookworm_main_binary-amd64_Packages'), ARCHIVE_PACKAGES);
  writeFileSync(join(r, 'etc/apt/sources.list'), 'deb http://mirror.invalid/debian bookworm main\n');
  return r;
}

test('CACHE_SAVE keeps the .debs and writes a repository of the archive\'s own stanzas', () => {
  const r = fakeRootfs();
  const root = mkdtempSync(join(tmpdir(), 'ownbase-cache-'));
  const c = join(root, 'debian/bookworm/amd64');
  const out = execFileSync('sh', ['-c', CACHE_SAVE, 'sh', r, c, 'bookworm', 'amd64', 'minbase'], { encoding: 'utf8' });
  assert.equal(out, `cached 3 packages in ${c}\n`);
  assert.deepEqual(readdirSync(join(c, 'pool')).sort(), ['apt_2.6.1_amd64.deb', 'bsdutils_2.38.1-5+deb12u3_amd64.deb', 'ca-certificates_20230311+deb12u1_all.deb']);
  const packages = readFileSync(join(c, 'dists/bookworm/main/binary-amd64/Packages'), 'utf8');
  assert.equal(packages, `Package: apt
Version: 2.6.1
Installed-Size: 4232
Architecture: amd64
Priority: required
Description: commandline package manager
 This package provides commandline tools.
Filename: pool/apt_2.6.1_amd64.deb
X-Archive-Filename: pool/main/a/apt/apt_2.6.1_amd64.deb
SHA256: aaaa

Package: bsdutils
Source: util-linux (2.38.1-5)
Version: 1:2.38.1-5+deb12u3
Architecture: amd64
Essential: yes
Priority: required
Filename: pool/bsdutils_2.38.1-5+deb12u3_amd64.deb
X-Archive-Filename: pool/main/u/util-linux/bsdutils_2.38.1-5+deb12u3_amd64.deb

Package: ca-certificates
Version: 20230311+deb12u1
Architecture: all
Priority: optional
Filename: pool/ca-certificates_20230311+deb12u1_all.deb
X-Archive-Filename: pool/main/c/ca-certificates/ca-certificates_20230311+deb12u1_all.deb

`);
  const release = readFileSync(join(c, 'dists/bookworm/Release'), 'utf8');
  const sha = createHash('sha256').update(packages).digest('hex');
  assert.match(release, /^Suite: bookworm$/m);
  assert.match(release, /^Codename: bookworm$/m);
  assert.ok(release.endsWith(`SHA256:\n ${sha} ${Buffer.byteLength(packages)} main/binary-amd64/Packages\n`));
  assert.equal(readFileSync(join(c, 'sources.list'), 'utf8'), 'deb http://mirror.invalid/debian bookworm main\n');
  assert.equal(readFileSync(join(c, 'variants'), 'utf8'), 'minbase\n');

  // A second save (another recipe) merges without duplicates; with no new .deb it leaves the index as it was.
  const indexId = (): number => statSync(join(c, 'dists/bookworm/Release')).ino;
  const before = indexId();
  assert.equal(execFileSync('sh', ['-c', CACHE_SAVE, 'sh', r, c, 'bookworm', 'amd64', 'minbase'], { encoding: 'utf8' }), `cached 3 packages in ${c}\n`);
  assert.equal(readFileSync(join(c, 'dists/bookworm/main/binary-amd64/Packages'), 'utf8'), packages);
  assert.equal(readFileSync(join(c, 'variants'), 'utf8'), 'minbase\n');
  assert.equal(indexId(), before, 'nothing new: the index is not rewritten');
  // A save killed between the pool and the index leaves .reindex: the next one rewrites the index.
  writeFileSync(join(c, '.reindex'), '');
  execFileSync('sh', ['-c', CACHE_SAVE, 'sh', r, c, 'bookworm', 'amd64', 'minbase']);
  assert.notEqual(indexId(), before);
  assert.equal(readFileSync(join(c, 'dists/bookworm/main/binary-amd64/Packages'), 'utf8'), packages);
  assert.deepEqual(readdirSync(c).sort(), ['.lock', 'dists', 'lists', 'pool', 'sources.list', 'variants'], 'no .reindex, no incoming folder left');

  const probe = probeCache(root, RECIPE, 'amd64');
  assert.deepEqual(probe, { dir: c, warm: true });
  assert.deepEqual(probeCache(root, { ...RECIPE, packages: ['curl'] }, 'amd64'), { dir: c, warm: false, reason: 'not cached yet: curl' });
  assert.deepEqual(probeCache(root, { ...RECIPE, variant: 'buildd' }, 'amd64'), { dir: c, warm: false, reason: 'no buildd build cached yet' });
  assert.deepEqual(probeCache(root, RECIPE, 'arm64'), { dir: join(root, 'debian/bookworm/arm64'), warm: false, reason: 'nothing cached yet' });
  rmSync(r, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

test('SEED_CACHE gives apt the cached .debs under its own names (epoch as %3a) and the archives\' lists; COUNT_UPDATES counts what is not the release\'s', () => {
  const r = fakeRootfs();
  const root = mkdtempSync(join(tmpdir(), 'ownbase-cache-'));
  const c = join(root, 'debian/bookworm/amd64');
  execFileSync('sh', ['-c', CACHE_SAVE, 'sh', r, c, 'bookworm', 'amd64', 'minbase']);
  const fresh = mkdtempSync(join(tmpdir(), 'ownbase-seed-'));
  // As mmdebstrap runs a setup hook: sh -c HOOK exec ROOTFS.
  const out = execFileSync('sh', ['-c', SEED_CACHE, 'exec', fresh], { encoding: 'utf8', env: { ...process.env, [SEED_CACHE_ENV]: c } });
  assert.equal(out, `ownbase: seeded 1 apt lists and 3 .debs from ${c}\n`);
  const debs = ['apt_2.6.1_amd64.deb', 'bsdutils_1%3a2.38.1-5+deb12u3_amd64.deb', 'ca-certificates_20230311+deb12u1_all.deb'];
  assert.deepEqual(readdirSync(join(fresh, 'var/cache/apt/archives')).sort(), [...debs, 'partial']);
  for (const f of debs) assert.equal(readFileSync(join(fresh, 'var/cache/apt/archives', f), 'utf8'), `deb ${f}`, f);
  assert.equal(readFileSync(join(fresh, 'var/lib/apt/lists/mirror.invalid_debian_dists_bookworm_main_binary-amd64_Packages'), 'utf8'), ARCHIVE_PACKAGES);
  assert.throws(() => execFileSync('sh', ['-c', SEED_CACHE, 'exec', fresh], { stdio: 'pipe', env: { PATH: process.env.PATH } }), /OWNBASE_SEED_CACHE/);

  // The release lists apt 2.6.1 and bsdutils 1:2.38.1-5+deb12u3; the updates suite brought apt 2.6.2 and a package the release lacks.
  mkdirSync(join(r, 'var/lib/dpkg'), { recursive: true });
  const installed = [['apt', '2.6.2', 'amd64'], ['bsdutils', '1:2.38.1-5+deb12u3', 'amd64'], ['new-in-updates', '1.0', 'all'], ['removed-one', '3', 'all']];
  writeFileSync(join(r, 'var/lib/dpkg/status'), installed.map(([p, v, a], i) =>
    `Package: ${p}\nStatus: ${i === 3 ? 'deinstall ok config-files' : 'install ok installed'}\nArchitecture: ${a}\nVersion: ${v}\n`).join('\n'));
  writeFileSync(join(r, 'var/lib/apt/lists/mirror.invalid_debian_dists_bookworm-updates_main_binary-amd64_Packages'), 'Package: apt\nVersion: 2.6.2\n');
  const n = join(root, 'count');
  assert.equal(execFileSync('sh', ['-c', COUNT_UPDATES, 'sh', r, n, 'bookworm', 'main'], { encoding: 'utf8' }), '2 packages from the updates and security suites\n');
  assert.equal(readFileSync(n, 'utf8'), '2\n');
  assert.deepEqual(readdirSync(root).sort(), ['count', 'debian'], 'no temporary file left');
  rmSync(join(r, 'var/lib/apt/lists'), { recursive: true, force: true });
  execFileSync('sh', ['-c', COUNT_UPDATES, 'sh', r, n, 'bookworm', 'main'], { stdio: 'pipe' });
  assert.equal(existsSync(n), false, 'no release index: no count, rather than a wrong one');
  for (const d of [r, root, fresh]) rmSync(d, { recursive: true, force: true });
});

test('cacheCovers: the variant and every package name (arch and version qualifiers ignored)', () => {
  const names = packageNames('Package: apt\nVersion: 1\n\nPackage: curl\nVersion: 2\n');
  assert.deepEqual([...names], ['apt', 'curl']);
  assert.deepEqual(cacheCovers(names, ['minbase'], { packages: ['curl:amd64', 'apt=1'] }), { ok: true });
  assert.deepEqual(cacheCovers(names, ['minbase'], { packages: ['curl', 'jq', 'git'] }), { ok: false, reason: 'not cached yet: jq, git' });
});

test('REMOVE expands only pathname globs: spaces, quotes and $(…) in a pattern are literal', () => {
  const d = mkdtempSync(join(tmpdir(), 'ownbase-remove-'));
  for (const f of ['a b 1', 'a b 2', 'keep', '$(touch pwned)', "it's"]) writeFileSync(join(d, f), 'x');
  mkdirSync(join(d, 'dir/sub'), { recursive: true });
  const outside = mkdtempSync(join(tmpdir(), 'ownbase-outside-'));
  writeFileSync(join(outside, 'precious'), 'x');
  symlinkSync(join(outside, 'precious'), join(d, 'link'));
  execFileSync('sh', ['-c', REMOVE, 'sh', `${d}/a b *`, `${d}/$(touch pwned)`, `${d}/it's`, `${d}/dir`, `${d}/link`, `${d}/missing*`]);
  assert.deepEqual(readdirSync(d).sort(), ['keep']);
  assert.ok(existsSync(join(outside, 'precious')), 'a symlink is removed, never followed');
  assert.throws(() => execFileSync('sh', ['-c', REMOVE, 'sh', 'relative/*'], { stdio: 'pipe' }), /not an absolute path/);
  rmSync(d, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});
