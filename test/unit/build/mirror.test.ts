import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostMirror, mirrorFromSources, parseDeb822Sources, parseOneLineSources, parseOsRelease } from '../../../src/core/build/mirror';

const DEB822 = `Types: deb
# http://snapshot.invalid/archive/debian/20250520T000000Z
URIs: http://mirror.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.invalid/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://src.invalid/debian
Suites: bookworm
Components: main

Types: deb
Enabled: no
URIs: http://off.invalid/debian
Suites: bookworm
Components: main
`;

test('deb822 sources: deb stanzas only, enabled ones only, comments skipped', () => {
  assert.deepEqual(parseDeb822Sources(DEB822), [
    { uri: 'http://mirror.invalid/debian', suites: ['bookworm', 'bookworm-updates'], components: ['main'] },
    { uri: 'http://mirror.invalid/debian-security', suites: ['bookworm-security'], components: ['main'] },
  ]);
});

test('one-line sources: options and comments skipped', () => {
  assert.deepEqual(parseOneLineSources(`# deb http://commented.invalid/debian bookworm main
deb [arch=amd64 signed-by=/k.gpg] http://third.invalid/linux/debian bookworm stable
deb http://mirror.invalid/debian/ bookworm main contrib # trailing
deb-src http://mirror.invalid/debian/ bookworm main
`), [
    { uri: 'http://third.invalid/linux/debian', suites: ['bookworm'], components: ['stable'] },
    { uri: 'http://mirror.invalid/debian/', suites: ['bookworm'], components: ['main', 'contrib'] },
  ]);
});

test('the distribution mirror: same distro as the host, its codename, component main; never a third-party repository', () => {
  const host = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_CODENAME=bookworm\n');
  assert.deepEqual(host, { id: 'debian', codename: 'bookworm' });
  const sources = [
    { uri: 'https://third.invalid/linux/debian', suites: ['bookworm'], components: ['stable'] },
    { uri: 'https://node.invalid/node_20.x', suites: ['nodistro'], components: ['main'] },
    ...parseDeb822Sources(DEB822),
  ];
  assert.equal(mirrorFromSources(sources, host, 'debian'), 'http://mirror.invalid/debian');
  assert.equal(mirrorFromSources(sources, host, 'ubuntu'), undefined);
  assert.equal(mirrorFromSources(sources, { id: 'ubuntu', codename: 'jammy' }, 'ubuntu'), undefined);
});

test('hostMirror reads sources.list, sources.list.d/*.list and *.sources, ignoring other files', () => {
  const etc = mkdtempSync(join(tmpdir(), 'ownbase-etc-'));
  mkdirSync(join(etc, 'apt/sources.list.d'), { recursive: true });
  writeFileSync(join(etc, 'os-release'), 'ID=debian\nVERSION_CODENAME=bookworm\n');
  writeFileSync(join(etc, 'apt/sources.list.d/x.list.disabled'), 'deb http://disabled.invalid/debian bookworm main\n');
  assert.equal(hostMirror('debian', etc), undefined);
  writeFileSync(join(etc, 'apt/sources.list.d/debian.sources'), DEB822);
  assert.equal(hostMirror('debian', etc), 'http://mirror.invalid/debian');
  writeFileSync(join(etc, 'apt/sources.list'), 'deb http://first.invalid/debian bookworm main\n');
  assert.equal(hostMirror('debian', etc), 'http://first.invalid/debian');
});
