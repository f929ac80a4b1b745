import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  aptSourcesFile, hostMirror, hostSecurityMirror, isLocalOnlyUrl, mirrorFromSources, parseDeb822Sources, parseOneLineSources, parseOsRelease, parseToolDefaults,
  securityMirrorFromSources, toolDefaults, usesDeb822,
} from '../../../src/core/build/mirror';
import { updateSuites } from '../../../src/core/recipe/suites';

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

test('the security archive: the host source serving its codename\'s security suite (buster/updates up to Debian 10)', () => {
  const bookworm = { id: 'debian', codename: 'bookworm' };
  assert.equal(securityMirrorFromSources(parseDeb822Sources(DEB822), bookworm, 'debian'), 'http://mirror.invalid/debian-security');
  assert.equal(securityMirrorFromSources(parseDeb822Sources(DEB822), bookworm, 'ubuntu'), undefined);
  assert.equal(securityMirrorFromSources(parseOneLineSources('deb http://mirror.invalid/debian bookworm main\n'), bookworm, 'debian'), undefined);
  const buster = parseOneLineSources('deb http://mirror.invalid/debian buster main\ndeb http://sec.invalid/debian-security buster/updates main\n');
  assert.equal(securityMirrorFromSources(buster, { id: 'debian', codename: 'buster' }, 'debian'), 'http://sec.invalid/debian-security');
  const etc = mkdtempSync(join(tmpdir(), 'ownbase-etc-'));
  mkdirSync(join(etc, 'apt/sources.list.d'), { recursive: true });
  writeFileSync(join(etc, 'os-release'), 'ID=debian\nVERSION_CODENAME=bookworm\n');
  assert.equal(hostSecurityMirror('debian', etc), undefined);
  writeFileSync(join(etc, 'apt/sources.list.d/debian.sources'), DEB822);
  assert.equal(hostSecurityMirror('debian', etc), 'http://mirror.invalid/debian-security');
});

test('a mirror only this machine reaches: loopback and unspecified addresses', () => {
  for (const u of ['http://localhost:3142/debian', 'http://127.0.0.1:3142/debian', 'http://[::1]:3142/debian', 'http://apt.localhost/debian', 'http://0.0.0.0/debian']) {
    assert.equal(isLocalOnlyUrl(u), true, u);
  }
  for (const u of ['http://mirror.invalid/debian', 'http://10.0.0.5/debian', 'file:///srv/mirror', 'not a url']) assert.equal(isLocalOnlyUrl(u), false, u);
});

test("the bootstrap tools' defaults come from their own code, chosen by the archive's path", () => {
  const mmdebstrap = `
    my $mirror    = 'http://a.invalid/debian';
    my $secmirror = 'http://s.invalid/debian-security';
    if (ubuntu) { if (x86) {
            $mirror    = 'http://u.invalid/ubuntu';
            $secmirror = 'http://us.invalid/ubuntu';
        } else {
            $mirror    = 'http://p.invalid/ubuntu-ports';
            $secmirror = 'http://p.invalid/ubuntu-ports';
    } }
    $mirror = 'http://t.invalid/tanglu';`;
  assert.deepEqual(parseToolDefaults(mmdebstrap, '', 'debian', 'amd64'), { mirror: 'http://a.invalid/debian', security: 'http://s.invalid/debian-security' });
  assert.deepEqual(parseToolDefaults(mmdebstrap, '', 'ubuntu', 'i386'), { mirror: 'http://u.invalid/ubuntu', security: 'http://us.invalid/ubuntu' });
  assert.deepEqual(parseToolDefaults(mmdebstrap, '', 'ubuntu', 'arm64'), { mirror: 'http://p.invalid/ubuntu-ports', security: 'http://p.invalid/ubuntu-ports' });
  assert.deepEqual(parseToolDefaults('', 'DEF_MIRROR="http://d.invalid/debian"\n', 'debian', 'amd64'), { mirror: 'http://d.invalid/debian' }, "debootstrap knows no security archive");
  assert.deepEqual(parseToolDefaults("$secmirror = 'http://x.invalid/debian-security; rm -rf /'", '', 'debian', 'amd64'), {}, 'not a URL: ignored');
  assert.deepEqual(toolDefaults('debian', 'amd64', { mmdebstrap: '/nonexistent/mmdebstrap', debootstrap: '/nonexistent/debootstrap' }), {});
});

test('update suites: Debian SUITE-updates and SUITE-security (SUITE/updates up to 10), none for unstable; Ubuntu SUITE-updates and SUITE-security', () => {
  assert.deepEqual(updateSuites('debian', 'bookworm'), { updates: 'bookworm-updates', security: 'bookworm-security' });
  assert.deepEqual(updateSuites('debian', 'bullseye'), { updates: 'bullseye-updates', security: 'bullseye-security' });
  assert.deepEqual(updateSuites('debian', 'buster'), { updates: 'buster-updates', security: 'buster/updates' });
  assert.deepEqual(updateSuites('debian', 'stable'), { updates: 'stable-updates', security: 'stable-security' });
  assert.deepEqual(updateSuites('debian', 'sid'), {});
  assert.deepEqual(updateSuites('debian', 'unstable'), {});
  assert.deepEqual(updateSuites('ubuntu', 'focal'), { updates: 'focal-updates', security: 'focal-security' });
});

test("an image's sources in its release's official format", () => {
  const m = 'http://m.invalid/debian';
  const s = 'http://s.invalid/debian-security';
  assert.deepEqual(aptSourcesFile({ distro: 'debian', suite: 'trixie', components: ['main', 'contrib'], mirror: m, updates: 'trixie-updates', security: { suite: 'trixie-security', mirror: s } }), {
    path: '/etc/apt/sources.list.d/debian.sources',
    text: `Types: deb\nURIs: ${m}\nSuites: trixie trixie-updates\nComponents: main contrib\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n`
      + `Types: deb\nURIs: ${s}\nSuites: trixie-security\nComponents: main contrib\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
  });
  assert.deepEqual(aptSourcesFile({ distro: 'debian', suite: 'bookworm', components: ['main'], mirror: m }), {
    path: '/etc/apt/sources.list.d/debian.sources',
    text: `Types: deb\nURIs: ${m}\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
  });
  assert.deepEqual(aptSourcesFile({ distro: 'debian', suite: 'bullseye', components: ['main'], mirror: m, updates: 'bullseye-updates', security: { suite: 'bullseye-security', mirror: s } }), {
    path: '/etc/apt/sources.list',
    text: `deb ${m} bullseye main\ndeb ${s} bullseye-security main\ndeb ${m} bullseye-updates main\n`,
  });
  const u = 'http://u.invalid/ubuntu';
  const us = 'http://us.invalid/ubuntu';
  assert.deepEqual(aptSourcesFile({ distro: 'ubuntu', suite: 'jammy', components: ['main', 'universe'], mirror: u, updates: 'jammy-updates', security: { suite: 'jammy-security', mirror: us } }), {
    path: '/etc/apt/sources.list',
    text: `deb ${u} jammy main universe\ndeb ${u} jammy-updates main universe\ndeb ${us} jammy-security main universe\n`,
  });
  assert.deepEqual(aptSourcesFile({ distro: 'ubuntu', suite: 'noble', components: ['main'], mirror: u, updates: 'noble-updates', security: { suite: 'noble-security', mirror: us } }), {
    path: '/etc/apt/sources.list.d/ubuntu.sources',
    text: `Types: deb\nURIs: ${u}\nSuites: noble noble-updates\nComponents: main\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\n`
      + `Types: deb\nURIs: ${us}\nSuites: noble-security\nComponents: main\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n`,
  });
  assert.equal(usesDeb822('debian', 'sid'), true);
  assert.equal(usesDeb822('debian', 'buster'), false);
  assert.equal(usesDeb822('ubuntu', 'mantic'), false);
});
