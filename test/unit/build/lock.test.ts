import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkLockedDebs, fetchLockedDebs, formatLock, lockedWithoutStanza, lockPathFor, LockError, makeLock, packagesIndex, parseInstalled, parseLock, poolName, writeLockedRepository, type LockFile,
} from '../../../src/core/build/lock';

const SHA = 'a'.repeat(64);
const LOCK: LockFile = {
  version: 1,
  archive: { distro: 'debian', mirror: 'http://mirror.invalid/debian', suite: 'bookworm', components: ['main'], release: { date: 'Sat, 11 Jul 2026 10:16:37 UTC', sha256: SHA }, sourceDateEpoch: 1_796_005_301 },
  packages: [
    { name: 'bsdutils', version: '1:2.38.1-5+deb12u3', arch: 'amd64', source: 'util-linux', filename: 'pool/main/u/util-linux/bsdutils_2.38.1-5+deb12u3_amd64.deb', size: 3, sha256: SHA },
    { name: 'apt', version: '2.6.1', arch: 'amd64', source: 'apt', filename: 'pool/main/a/apt/apt_2.6.1_amd64.deb', size: 3, sha256: SHA },
  ],
};

test('the lock text: fixed key order, packages by name one a line, and it reads back', () => {
  const text = formatLock(LOCK);
  assert.equal(text, `{
  "version": 1,
  "archive": {"distro":"debian","mirror":"http://mirror.invalid/debian","suite":"bookworm","components":["main"],"release":{"date":"Sat, 11 Jul 2026 10:16:37 UTC","sha256":"${SHA}"},"sourceDateEpoch":1796005301},
  "packages": [
    {"name":"apt","version":"2.6.1","arch":"amd64","source":"apt","filename":"pool/main/a/apt/apt_2.6.1_amd64.deb","size":3,"sha256":"${SHA}"},
    {"name":"bsdutils","version":"1:2.38.1-5+deb12u3","arch":"amd64","source":"util-linux","filename":"pool/main/u/util-linux/bsdutils_2.38.1-5+deb12u3_amd64.deb","size":3,"sha256":"${SHA}"}
  ]
}
`);
  const back = parseLock(text);
  assert.equal(formatLock(back), text);
  assert.equal(lockPathFor('/r/bookworm-slim.ownbase.yaml'), '/r/bookworm-slim.ownbase.lock');
  assert.equal(lockPathFor('/r/x.yml'), '/r/x.ownbase.lock');
});

test('a snapshot lock records the snapshot after the suite, and it reads back', () => {
  const snap = { ...LOCK, archive: { ...LOCK.archive, mirror: 'http://snapshots.invalid/archive/debian/20261101T000000Z/', snapshot: '20261101T000000Z' } };
  const text = formatLock(snap);
  assert.match(text, /"archive": \{"distro":"debian","mirror":"http:\/\/snapshots\.invalid\/archive\/debian\/20261101T000000Z\/","suite":"bookworm","snapshot":"20261101T000000Z","components":\["main"\],/u);
  assert.equal(parseLock(text).archive.snapshot, '20261101T000000Z');
  assert.equal(formatLock(parseLock(text)), text);
});

test('a bad lock is a LockError naming what is wrong', () => {
  const bad = (text: string): string => { try { parseLock(text, 'x.lock'); } catch (e) { assert.ok(e instanceof LockError); return e.message; } return 'accepted'; };
  assert.match(bad('{'), /^x\.lock is not JSON/);
  assert.equal(bad('{"version":2}'), 'x.lock: version 2 is not 1; write it again with ownbase lock');
  assert.equal(bad('{"version":1,"archive":{"distro":"debian","suite":"bookworm","components":["main"]},"packages":[]}'), 'x.lock: packages must be a non-empty list');
  const pkg = (p: object): string => `{"version":1,"archive":{"distro":"debian","suite":"bookworm","components":["main"]},"packages":[${JSON.stringify(p)}]}`;
  assert.equal(bad(pkg({ name: 'apt', version: '1', arch: 'amd64', source: 'apt', filename: 'f', size: 1, sha256: 'abc' })), 'x.lock: apt: sha256 is not 64 hex digits');
  assert.equal(bad(pkg({ name: 'apt', version: '1' })), 'x.lock: packages[0] needs name, version, arch, source, filename, sha256 (strings) and size (an integer)');
});

test('makeLock: dpkg\'s installed packages with the archive\'s filename, size and SHA-256 from the cache; a package without a record is named', () => {
  const installed = parseInstalled('installed\tapt\t2.6.1\tamd64\t\nconfig-files\told\t1\tamd64\told\ninstalled\tbsdutils\t1:2.38.1-5+deb12u3\tamd64\tutil-linux\n');
  assert.deepEqual(installed.map((i) => `${i.name} ${i.source}`), ['apt apt', 'bsdutils util-linux']);
  const stanzas = packagesIndex(`Package: apt\nVersion: 2.6.1\nArchitecture: amd64\nFilename: pool/apt_2.6.1_amd64.deb\nX-Archive-Filename: pool/main/a/apt/apt_2.6.1_amd64.deb\nSize: 3\nSHA256: ${SHA}\n\n`
    + `Package: bsdutils\nVersion: 1:2.38.1-5+deb12u3\nArchitecture: amd64\nFilename: pool/bsdutils_2.38.1-5+deb12u3_amd64.deb\nX-Archive-Filename: pool/main/u/util-linux/bsdutils_2.38.1-5+deb12u3_amd64.deb\nSize: 3\nSHA256: ${SHA}\n`);
  const lock = makeLock({ archive: LOCK.archive, installed, stanzas });
  assert.equal(formatLock(lock), formatLock(LOCK));
  assert.throws(() => makeLock({ archive: LOCK.archive, installed: [...installed, { name: 'curl', version: '7', arch: 'amd64', source: 'curl' }], stanzas }),
    (e: unknown) => e instanceof LockError && e.message === 'the package cache has no archive record of curl 7: a lock needs the build\'s package cache (not --no-cache)');
});

test('checkLockedDebs and the locked repository: sizes and SHA-256 checked per package; the repository holds exactly the locked ones', () => {
  const c = mkdtempSync(join(tmpdir(), 'ownbase-lock-'));
  try {
    mkdirSync(join(c, 'pool'));
    mkdirSync(join(c, 'dists/bookworm/main/binary-amd64'), { recursive: true });
    const body = Buffer.from('deb');
    const sha = createHash('sha256').update(body).digest('hex');
    for (const p of LOCK.packages) writeFileSync(join(c, 'pool', poolName(p)), body);
    writeFileSync(join(c, 'pool', 'extra_1_all.deb'), body);
    const lock: LockFile = { ...LOCK, packages: LOCK.packages.map((p) => ({ ...p, sha256: sha })) };
    assert.deepEqual(checkLockedDebs(lock, c), []);
    assert.equal(poolName(LOCK.packages[0]!), 'bsdutils_2.38.1-5+deb12u3_amd64.deb');
    writeFileSync(join(c, 'pool', poolName(LOCK.packages[1]!)), 'debx');
    assert.deepEqual(checkLockedDebs(lock, c), ['apt 2.6.1: 4 bytes, the lock says 3']);
    writeFileSync(join(c, 'pool', poolName(LOCK.packages[1]!)), body);
    const stanza = (n: string, v: string) => `Package: ${n}\nVersion: ${v}\nArchitecture: amd64\nPriority: required\nFilename: pool/${n}.deb\nSize: 3\nSHA256: ${sha}`;
    writeFileSync(join(c, 'dists/bookworm/main/binary-amd64/Packages'), `${stanza('apt', '2.6.1')}\n\n${stanza('apt', '2.6.0')}\n\n${stanza('bsdutils', '1:2.38.1-5+deb12u3')}\n`);
    const repo = writeLockedRepository(lock, c, 'amd64', 'b'.repeat(64));
    assert.equal(repo, join(c, 'locked', 'b'.repeat(16)));
    const packages = readFileSync(join(repo, 'dists/bookworm/main/binary-amd64/Packages'), 'utf8');
    assert.equal(packages, `${stanza('bsdutils', '1:2.38.1-5+deb12u3')}\n\n${stanza('apt', '2.6.1')}\n`);
    assert.ok(existsSync(join(repo, 'pool', 'apt_2.6.1_amd64.deb')));
    assert.equal(existsSync(join(repo, 'pool', 'extra_1_all.deb')), false);
    assert.match(readFileSync(join(repo, 'dists/bookworm/Release'), 'utf8'), new RegExp(` ${createHash('sha256').update(packages).digest('hex')} ${packages.length} main/binary-amd64/Packages\n$`));
  } finally {
    rmSync(c, { recursive: true, force: true });
  }
});

test('fetchLockedDebs: what the cache lacks comes from the archive, checked against the lock; a package gone or different is named; the repository takes a downloaded .deb\'s stanza from the archive\'s index', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ownbase-lockfetch-'));
  const server = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (body === undefined) { res.statusCode = 404; res.end(); return; }
    res.end(body);
  });
  const served = new Map<string, Buffer>();
  try {
    const pkgDir = join(d, 'hello');
    mkdirSync(join(pkgDir, 'DEBIAN'), { recursive: true });
    writeFileSync(join(pkgDir, 'DEBIAN/control'), 'Package: hello\nVersion: 1:2.0-1\nArchitecture: all\nMaintainer: t <t@t.invalid>\nPriority: required\nDescription: test\n');
    const built = spawnSync('dpkg-deb', ['--build', '--root-owner-group', pkgDir, join(d, 'hello.deb')], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    const deb = readFileSync(join(d, 'hello.deb'));
    const sha = createHash('sha256').update(deb).digest('hex');
    const pkg = (name: string, version: string, sum = sha, size = deb.length) => ({ name, version, arch: 'all', source: name, filename: `pool/main/${name}_${version.replace(/^\d+:/, '')}_all.deb`, size, sha256: sum });
    served.set('/debian/pool/main/hello_2.0-1_all.deb', deb);
    served.set('/security/pool/main/changed_1.0_all.deb', deb);
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as { port: number }).port;
    const bases = [`http://127.0.0.1:${port}/debian/`, `http://127.0.0.1:${port}/security`];
    const cache = join(d, 'cache');
    const lock: LockFile = {
      version: 1, archive: { distro: 'debian', suite: 'bookworm', components: ['main'] },
      packages: [pkg('changed', '1.0', 'f'.repeat(64)), pkg('gone', '3.0'), pkg('hello', '1:2.0-1')],
    };
    const got = await fetchLockedDebs(lock, cache, bases);
    assert.deepEqual(got.fetched, ['hello']);
    assert.deepEqual(readFileSync(join(cache, 'pool/hello_2.0-1_all.deb')), deb);
    assert.deepEqual(readdirSync(join(cache, 'pool')), ['hello_2.0-1_all.deb'], 'nothing unchecked or half-written enters the pool');
    assert.deepEqual(checkLockedDebs(lock, cache, got.missingWhy), [
      `changed 1.0: the archive's ${bases[1]}/pool/main/changed_1.0_all.deb is ${deb.length} bytes with SHA-256 ${sha}, the lock says ${deb.length} and ${'f'.repeat(64)}`,
      `gone 3.0: not in the package cache, and the archive no longer has it (${bases[0]}pool/main/gone_3.0_all.deb, ${bases[1]}/pool/main/gone_3.0_all.deb)`,
    ]);
    const again = await fetchLockedDebs({ ...lock, packages: [lock.packages[2]!] }, cache, bases);
    assert.deepEqual(again.fetched, [], 'what the pool holds is not downloaded again');

    const only = { ...lock, packages: [lock.packages[2]!] };
    assert.deepEqual(lockedWithoutStanza(only, cache, 'amd64').map((p) => p.name), ['hello'], 'downloaded: the cache has no stanza of it');
    assert.throws(() => writeLockedRepository(only, cache, 'amd64', 'ab'.repeat(32)), /hello 1:2\.0-1: neither the package cache nor the archive's Packages index has a record of it/);
    // The archive's stanza, not the .deb's control: its Priority decides what the variant installs.
    const archiveIndex = `Package: hello\nVersion: 1:2.0-1\nArchitecture: all\nPriority: important\nFilename: pool/main/hello_2.0-1_all.deb\nSize: ${deb.length}\nSHA256: ${sha}\n`;
    const repo = writeLockedRepository(only, cache, 'amd64', 'ab'.repeat(32), [archiveIndex]);
    assert.equal(readFileSync(join(repo, 'dists/bookworm/main/binary-amd64/Packages'), 'utf8'),
      `Package: hello\nVersion: 1:2.0-1\nArchitecture: all\nPriority: important\nFilename: pool/hello_2.0-1_all.deb\nX-Archive-Filename: pool/main/hello_2.0-1_all.deb\nSize: ${deb.length}\nSHA256: ${sha}\n`);
  } finally {
    server.close();
    rmSync(d, { recursive: true, force: true });
  }
});
