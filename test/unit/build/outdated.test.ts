import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareDebVersions } from '../../../src/core/build/debVersion';
import type { LockFile } from '../../../src/core/build/lock';
import { outdatedPackages } from '../../../src/core/build/outdated';

test('Debian version order: epochs, ~ before the end, digits numerically, revisions', () => {
  const ordered = ['1.0~rc1', '1.0', '1.0-1', '1.0-1+deb12u1', '1.0-2', '1.0a', '1.0.1', '1.2', '1.10', '2:0.1'];
  for (let i = 0; i + 1 < ordered.length; i++) {
    assert.ok(compareDebVersions(ordered[i]!, ordered[i + 1]!) < 0, `${ordered[i]} < ${ordered[i + 1]}`);
    assert.ok(compareDebVersions(ordered[i + 1]!, ordered[i]!) > 0, `${ordered[i + 1]} > ${ordered[i]}`);
  }
  assert.equal(compareDebVersions('1:2.38.1-5+deb12u3', '1:2.38.1-5+deb12u3'), 0);
  assert.equal(compareDebVersions('01.0', '1.0'), 0);
  assert.ok(compareDebVersions('3.0.15-1~deb12u1', '3.0.15-1') < 0);
});

test('outdatedPackages: newer versions in any index, security updates first, then by name; arch must match', () => {
  const pkg = (name: string, version: string, arch = 'amd64') => ({ name, version, arch, source: name, filename: 'f', size: 1, sha256: 'a'.repeat(64) });
  const lock: LockFile = { version: 1, archive: { distro: 'debian', suite: 'bookworm', components: ['main'] },
    packages: [pkg('zlib1g', '1:1.2.13.dfsg-1'), pkg('apt', '2.6.1'), pkg('libssl3', '3.0.15-1~deb12u1'), pkg('tzdata', '2024a-0+deb12u1', 'all'), pkg('bash', '5.2.15-2+b7')] };
  const stanza = (name: string, version: string, arch = 'amd64') => `Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\n`;
  const found = outdatedPackages(lock, [
    { suite: 'bookworm', security: false, packages: [stanza('apt', '2.6.1'), stanza('zlib1g', '1:1.2.13.dfsg-1'), stanza('bash', '5.2.15-2+b7'), stanza('tzdata', '2024a-0+deb12u1', 'all')].join('\n') },
    { suite: 'bookworm-updates', security: false, packages: [stanza('tzdata', '2025b-0+deb12u1', 'all'), stanza('apt', '2.6.2'), stanza('bash', '5.2.15-2+b9', 'arm64')].join('\n') },
    { suite: 'bookworm-security', security: true, packages: [stanza('libssl3', '3.0.17-1~deb12u2')].join('\n') },
  ]);
  assert.deepEqual(found.map((f) => `${f.security ? 'S ' : ''}${f.name} ${f.locked} -> ${f.newest} (${f.suite})`), [
    'S libssl3 3.0.15-1~deb12u1 -> 3.0.17-1~deb12u2 (bookworm-security)',
    'apt 2.6.1 -> 2.6.2 (bookworm-updates)',
    'tzdata 2024a-0+deb12u1 -> 2025b-0+deb12u1 (bookworm-updates)',
  ]);
});
