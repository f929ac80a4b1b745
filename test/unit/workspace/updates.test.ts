import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LockFile } from '../../../src/core/build/lock';
import { outdatedPackages } from '../../../src/core/build/outdated';
import { countUpdates, formatUpdates, UpdatesCache } from '../../../src/core/workspace/updates';

const pkg = (name: string, version: string) => ({ name, version, arch: 'amd64', source: name, filename: 'f', size: 1, sha256: 'a'.repeat(64) });
const stanza = (name: string, version: string) => `Package: ${name}\nVersion: ${version}\nArchitecture: amd64\n`;

test('the count of a check: outdated packages, security ones among them', () => {
  const lock: LockFile = { version: 1, archive: { distro: 'debian', suite: 'bookworm', components: ['main'] },
    packages: [pkg('apt', '2.6.1'), pkg('bash', '5.2.15-2+b7'), pkg('libssl3', '3.0.15-1~deb12u1'), pkg('zlib1g', '1:1.2.13.dfsg-1')] };
  const found = outdatedPackages(lock, [
    { suite: 'bookworm-updates', security: false, packages: [stanza('apt', '2.6.2'), stanza('bash', '5.2.15-2+b7')].join('\n') },
    { suite: 'bookworm-security', security: true, packages: [stanza('libssl3', '3.0.17-1~deb12u2'), stanza('zlib1g', '1:1.2.13.dfsg-1+deb12u1')].join('\n') },
  ]);
  const count = countUpdates(found, 1000);
  assert.deepEqual(count, { total: 3, security: 2, checkedAt: 1000 });
  assert.equal(formatUpdates(count), '3 updates (2 security)');
});

test('formatUpdates: singular, no security, none, and a failed check', () => {
  assert.equal(formatUpdates({ total: 1, security: 0, checkedAt: 0 }), '1 update');
  assert.equal(formatUpdates({ total: 1, security: 1, checkedAt: 0 }), '1 update (1 security)');
  assert.equal(formatUpdates({ total: 4, security: 0, checkedAt: 0 }), '4 updates');
  assert.equal(formatUpdates({ total: 0, security: 0, checkedAt: 0 }), 'up to date');
  assert.equal(formatUpdates({ error: 'cannot read the archive: HTTP 404', checkedAt: 0 }), 'updates unknown');
});

test('UpdatesCache: keyed by the lock content, so a new lock has no count until checked', () => {
  const cache = new UpdatesCache();
  cache.set('a'.repeat(64), { total: 2, security: 1, checkedAt: 5 });
  assert.deepEqual(cache.get('a'.repeat(64)), { total: 2, security: 1, checkedAt: 5 });
  assert.equal(cache.get('b'.repeat(64)), undefined);
});
