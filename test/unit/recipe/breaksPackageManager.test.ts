import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecipe } from '../../../src/core/recipe';
import { pathSegments, removalTouches, segmentsIntersect } from '../../../src/core/recipe/glob';
import { breaksPackageManager } from '../../../src/core/recipe/rules/breaksPackageManager';
import { applyFix, r } from './helpers';

test('segment globs intersect when some name matches both', () => {
  assert.ok(segmentsIntersect('dpkg*', 'dpkg-query'));
  assert.ok(segmentsIntersect('d*', 'dpkg*'));
  assert.ok(segmentsIntersect('*.list', 'sources.list*'));
  assert.ok(segmentsIntersect('[ad]pt*', 'apt'));
  assert.ok(segmentsIntersect('?pkg', 'dpkg'));
  assert.ok(!segmentsIntersect('doc', 'dpkg*'));
  assert.ok(!segmentsIntersect('apt', 'dpkg'));
  assert.deepEqual(pathSegments('/usr//share/./doc/../man/'), ['usr', 'share', 'man']);
});

test('removalTouches: a path, its ancestors, and below it for trees', () => {
  assert.ok(removalTouches('/var/lib/*', '/var/lib/dpkg', true));
  assert.ok(removalTouches('/var/lib/dpkg/info/*.md5sums', '/var/lib/dpkg', true));
  assert.ok(!removalTouches('/var/lib/dpkg/info/*.md5sums', '/var/lib/dpkg', false));
  assert.ok(removalTouches('/**', '/usr/bin/apt*', false));
  assert.ok(removalTouches('/usr/**/apt-get', '/usr/bin/apt*', false));
  assert.ok(!removalTouches('/var/lib/apt/lists/*', '/var/lib/dpkg', true));
});

test('what breaks apt and dpkg', () => {
  const bad = ['/var/lib/dpkg', '/var/lib/dpkg/*', '/usr/bin/dpkg*', '/usr/bin/apt*', '/etc/apt', '/bin', '/usr', '/', '/lib', '/etc',
    '/usr/bin/dpkg-query', '/usr/bin/apt-get', '/var/lib/*', '/*', '/**', '/usr/*', '/usr/bin/d*', '/etc/apt/*', '/var/../usr/bin/apt', '/usr/lib/apt/methods/*'];
  for (const p of bad) assert.ok(breaksPackageManager(p), p);
  const fine = ['/var/lib/apt/lists/*', '/var/cache/apt/*', '/usr/share/doc/*', '/usr/share/man/*', '/usr/share/locale/*', '/var/log/*',
    '/etc/apt/apt.conf.d/docker-clean', '/usr/bin/perl5*', '/tmp/*', '/var/cache/apt/archives/*.deb'];
  for (const p of fine) assert.equal(breaksPackageManager(p), undefined, p);
});

test('OB206 is an error on the entry saying what it deletes; the (unsafe) fix removes the entry', () => {
  const text = 'image: owned/base:1\ndistro: debian\nsuite: bookworm\nremove:\n  - /usr/share/doc/*\n  - /var/lib/*\n  - /var/lib/apt/lists/*\n';
  const ds = lintRecipe(text).filter((d) => d.code === 'OB206');
  assert.equal(ds.length, 1);
  assert.equal(ds[0]!.severity, 'error');
  assert.deepEqual(ds[0]!.range, r(5, 4, 5, 14));
  assert.match(ds[0]!.message, /^Removing '\/var\/lib\/\*' deletes \/var\/lib\/dpkg \(dpkg's database of installed packages\): apt and dpkg break/);
  assert.equal(ds[0]!.fixes![0]!.safe, false);
  assert.equal(applyFix(text, ds[0]), text.replace('  - /var/lib/*\n', ''));
  const usr = lintRecipe('image: owned/base:1\ndistro: debian\nsuite: bookworm\nremove: [/usr]\n').filter((d) => d.code === 'OB206');
  assert.match(usr[0]!.message, /^Removing '\/usr' deletes \/usr\/bin\/dpkg\* \(dpkg\)/);
});

test('OB206 judges a path after the merged-/usr symlinks, and protects sh, libc and the dynamic loader', () => {
  const cases: [string, string][] = [
    ['/bin/*', "deletes /usr/bin/dpkg* (dpkg) through the merged-/usr symlink /bin → /usr/bin"],
    ['/bin/dpkg', 'deletes /usr/bin/dpkg* (dpkg) through the merged-/usr symlink /bin → /usr/bin'],
    ['/bin/sh', 'deletes /usr/bin/sh (the shell package scripts run in) through the merged-/usr symlink /bin → /usr/bin'],
    ['/usr/bin/sh', 'deletes /usr/bin/sh (the shell package scripts run in):'],
    ['/lib/*', "deletes /usr/lib/apt (apt's download methods) through the merged-/usr symlink /lib → /usr/lib"],
    ['/lib/x86_64-linux-gnu/*', "deletes /usr/lib/*/libapt-pkg.so* (apt's library) through the merged-/usr symlink /lib → /usr/lib"],
    ['/lib/aarch64-linux-gnu/*', "deletes /usr/lib/*/libapt-pkg.so* (apt's library) through the merged-/usr symlink /lib → /usr/lib"],
    ['/usr/lib/riscv64-linux-gnu/libc.so.6', 'deletes /usr/lib/*/libc.so* (the C library):'],
    ['/lib64/ld-linux-x86-64.so.2', 'deletes /usr/lib64/ld* (the dynamic loader) through the merged-/usr symlink /lib64 → /usr/lib64'],
    ['/lib/ld-linux-aarch64.so.1', 'deletes /usr/lib/'],
    ['/usr/lib64/ld-linux-x86-64.so.2', 'deletes /usr/lib64/ld* (the dynamic loader):'],
    ['/usr/sbin/*', 'deletes /usr/sbin/ldconfig (ldconfig, which package scripts run):'],
    ['/sbin/*', 'deletes /usr/sbin/ldconfig (ldconfig, which package scripts run) through the merged-/usr symlink /sbin → /usr/sbin'],
  ];
  for (const [entry, deletes] of cases) {
    const text = `image: owned/base:1\ndistro: debian\nsuite: bookworm\nremove:\n  - ${entry}\n`;
    const ds = lintRecipe(text).filter((d) => d.code === 'OB206');
    assert.equal(ds.length, 1, entry);
    assert.ok(ds[0]!.message.startsWith(`Removing '${entry}' ${deletes}`), ds[0]!.message);
    assert.deepEqual(ds[0]!.range, r(4, 4, 4, 4 + entry.length), entry);
  }
  for (const fine of ['/usr/sbin/nologin-helper', '/usr/lib/x86_64-linux-gnu/gconv/*', '/lib/x86_64-linux-gnu/perl/*', '/bin/bash.bashrc-x', '/usr/share/zoneinfo/*']) {
    assert.equal(breaksPackageManager(fine), undefined, fine);
  }
});
