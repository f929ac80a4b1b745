import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecipe } from '../../../src/core/recipe';
import { qemuName, debianArchOf } from '../../../src/core/kernel/arch';
import { parseBinfmtEntry } from '../../../src/core/recipe/host';
import { fakeHost, r } from './helpers';

const text = (arch: string) => `image: owned/base:1\ndistro: debian\nsuite: bookworm\narch: ${arch}\n`;
const ob203 = (arch: string, host = fakeHost()) => lintRecipe(text(arch), { host }).filter((d) => d.code === 'OB203');

test('Debian architectures map to qemu-user names', () => {
  assert.equal(qemuName('arm64'), 'aarch64');
  assert.equal(qemuName('armhf'), 'arm');
  assert.equal(qemuName('armel'), 'arm');
  assert.equal(qemuName('ppc64el'), 'ppc64le');
  assert.equal(qemuName('s390x'), 's390x');
  assert.equal(qemuName('riscv64'), 'riscv64');
  assert.equal(qemuName('i386'), 'i386');
  assert.equal(qemuName('mips64el'), 'mips64el');
  assert.equal(qemuName('amd64'), 'x86_64');
  assert.equal(qemuName('vax'), undefined);
  assert.equal(debianArchOf('x64'), 'amd64');
  assert.equal(debianArchOf('arm64'), 'arm64');
  assert.equal(debianArchOf('ia32'), 'i386');
});

test('the host arch, or no host, gives nothing', () => {
  assert.deepEqual(ob203('amd64'), []);
  assert.deepEqual(lintRecipe(text('arm64')).filter((d) => d.code === 'OB203'), []);
  assert.deepEqual(ob203('i386'), [], 'an amd64 host runs i386 natively');
  assert.deepEqual(ob203('armhf', fakeHost({ arch: 'arm64' })), [], 'an arm64 host runs armhf natively, as the plan decides');
});

test('a foreign arch with nothing installed says exactly what to install and run', () => {
  const [d] = ob203('arm64', fakeHost({ mounted: false }));
  assert.equal(d!.severity, 'warning');
  assert.deepEqual(d!.range, r(3, 6, 3, 11));
  assert.equal(d!.message, 'arm64 is foreign to this amd64 host: the second debootstrap stage runs arm64 binaries through qemu-aarch64-static. '
    + 'Missing: /usr/bin/qemu-aarch64-static; binfmt_misc (not mounted at /proc/sys/fs/binfmt_misc); an enabled binfmt entry qemu-aarch64 with the F flag. '
    + 'Run as root: apt-get install qemu-user-static binfmt-support && mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc');
});

test('binary present but not registered: enable the binfmt entry', () => {
  const [d] = ob203('armhf', fakeHost({ binaries: ['/usr/bin/qemu-arm-static'] }));
  assert.equal(d!.severity, 'warning');
  assert.match(d!.message, /Missing: an enabled binfmt entry qemu-arm with the F flag\. Run as root: update-binfmts --enable qemu-arm$/);
});

test('everything in place: information that the build uses --foreign and qemu', () => {
  const [d] = ob203('ppc64el', fakeHost({ binaries: ['/usr/bin/qemu-ppc64le-static'], binfmt: ['ppc64le'] }));
  assert.equal(d!.severity, 'information');
  assert.equal(d!.message, 'ppc64el is foreign to this amd64 host: the cross build will use debootstrap --foreign and run the second stage through qemu-ppc64le-static (binfmt qemu-ppc64le is registered).');
  const onArm = ob203('amd64', fakeHost({ arch: 'arm64' }));
  assert.match(onArm[0]!.message, /^amd64 is foreign to this arm64 host: .*qemu-x86_64-static/);
});

test('an unknown arch is an OB201 error listing the architectures, not OB203', () => {
  const ds = lintRecipe(text('arm7'), { host: fakeHost() });
  assert.deepEqual(ds.filter((d) => d.code === 'OB203'), []);
  assert.match(ds.find((d) => d.code === 'OB201')!.message, /expected one of amd64, arm64, armel, armhf/);
});

test('binfmt_misc entries: enabled and the F flag', () => {
  assert.deepEqual(parseBinfmtEntry('enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POCF\noffset 0\n'), { enabled: true, flags: 'POCF' });
  assert.deepEqual(parseBinfmtEntry('disabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: \n'), { enabled: false, flags: '' });
});
