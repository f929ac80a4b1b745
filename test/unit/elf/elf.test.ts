import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { archOfElf } from '../../../src/core/kernel/arch';
import { bufferSource, parseElf, readElf } from '../../../src/core/elf/read';
import { ldSoConfDirs } from '../../../src/core/elf/ldconf';
import { needsJson, needsOf } from '../../../src/core/elf/needs';
import { nsswitchServices } from '../../../src/core/elf/resolve';
import { RootFs } from '../../../src/core/elf/root';
import { makeElf, type ElfSpec } from './makeElf';

const X86_64 = 62;
const AARCH64 = 183;
const PPC = 20;
const ARM = 40;

const ok = (b: Buffer, imports = false) => {
  const r = parseElf(bufferSource(b), { imports });
  if (!r.ok) assert.fail(r.error);
  return r.elf;
};

test('a 64-bit little-endian x86-64 program: loader, needed libraries, runpath, rpath', () => {
  const e = ok(makeElf({ bits: 64, endian: 'little', machine: X86_64, interp: '/lib64/ld-linux-x86-64.so.2', needed: ['libfoo.so.1', 'libc.so.6'], runpath: '$ORIGIN/../lib:/opt/x', rpath: '/r' }));
  assert.equal(e.bits, 64);
  assert.equal(e.endian, 'little');
  assert.equal(e.type, 'dyn');
  assert.equal(e.arch, 'amd64');
  assert.equal(e.interpreter, '/lib64/ld-linux-x86-64.so.2');
  assert.deepEqual(e.needed, ['libfoo.so.1', 'libc.so.6']);
  assert.deepEqual(e.runpath, ['$ORIGIN/../lib', '/opt/x']);
  assert.deepEqual(e.rpath, ['/r']);
  assert.equal(e.linking, 'dynamic');
});

test('aarch64, a 32-bit big-endian PowerPC file and the ARM float ABIs map to their Debian architectures', () => {
  const a = ok(makeElf({ bits: 64, endian: 'little', machine: AARCH64, interp: '/lib/ld-linux-aarch64.so.1', needed: ['libc.so.6'] }));
  assert.equal(a.arch, 'arm64');
  assert.equal(a.interpreter, '/lib/ld-linux-aarch64.so.1');
  const p = ok(makeElf({ bits: 32, endian: 'big', machine: PPC, type: 2, interp: '/lib/ld.so.1', needed: ['libm.so.6', 'libc.so.6'], soname: 'x' }));
  assert.deepEqual([p.bits, p.endian, p.arch, p.type, p.interpreter, p.soname], [32, 'big', 'powerpc', 'exec', '/lib/ld.so.1', 'x']);
  assert.deepEqual(p.needed, ['libm.so.6', 'libc.so.6']);
  assert.equal(ok(makeElf({ bits: 32, endian: 'little', machine: ARM, flags: 0x05000400, needed: ['libc.so.6'] })).arch, 'armhf');
  assert.equal(ok(makeElf({ bits: 32, endian: 'little', machine: ARM, flags: 0x05000200, needed: ['libc.so.6'] })).arch, 'armel');
  assert.equal(archOfElf(X86_64, 32, 'little', 0), undefined, 'x32 is no Debian architecture of the table');
});

test('static, static-pie and a shared library are told apart', () => {
  assert.equal(ok(makeElf({ bits: 64, endian: 'little', machine: X86_64, type: 2, noDynamic: true })).linking, 'static');
  assert.equal(ok(makeElf({ bits: 64, endian: 'little', machine: X86_64, type: 3, flags1: 0x08000001 })).linking, 'static-pie');
  const lib = ok(makeElf({ bits: 64, endian: 'little', machine: X86_64, type: 3, soname: 'libfoo.so.1', needed: ['libc.so.6'] }));
  assert.equal(lib.linking, 'dynamic');
  assert.equal(lib.interpreter, undefined);
});

test('imports and exports come from .dynsym, in both classes and byte orders', () => {
  for (const [bits, endian] of [[64, 'little'], [32, 'big']] as const) {
    const r = parseElf(bufferSource(makeElf({ bits, endian, machine: X86_64, needed: ['libc.so.6'], imports: ['getpwuid', 'printf'], exports: ['main'] })), { imports: true, exports: true });
    assert.ok(r.ok);
    assert.deepEqual(r.elf.imports, ['getpwuid', 'printf']);
    assert.deepEqual(r.elf.exports, ['main']);
  }
});

test('a file that is not ELF gets a clear error, not an exception', () => {
  const script = parseElf(bufferSource(Buffer.from('#!/bin/sh\necho hi\n')));
  assert.deepEqual(script, { ok: false, error: 'not an ELF file: a script (#!/bin/sh)' });
  assert.deepEqual(parseElf(bufferSource(Buffer.from('PK\x03\x04zip', 'latin1'))), { ok: false, error: 'not an ELF file (starts with 50 4b 03 04)' });
  assert.deepEqual(parseElf(bufferSource(Buffer.alloc(0))), { ok: false, error: 'empty file' });
  const dir = mkdtempSync(join(tmpdir(), 'ownbase-elf-'));
  try {
    assert.deepEqual(readElf(join(dir, 'nope')), { ok: false, error: 'no such file' });
    assert.deepEqual(readElf(dir), { ok: false, error: 'not a regular file' });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a truncated ELF file, cut at every length, gives an error result and never throws', () => {
  const full = makeElf({ bits: 64, endian: 'little', machine: X86_64, interp: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'], imports: ['getpwnam'] });
  let errors = 0;
  for (let n = 4; n < full.length; n++) {
    const r = parseElf(bufferSource(full.subarray(0, n)), { imports: true });
    if (!r.ok) { errors++; assert.match(r.error, /^(truncated ELF file \(\d+ bytes\)|damaged ELF file)/, `cut at ${n}: ${r.error}`); }
  }
  assert.ok(errors > full.length / 2, `most cuts are errors (${errors} of ${full.length})`);
  const r = parseElf(bufferSource(full.subarray(0, 30)));
  assert.deepEqual(r, { ok: false, error: 'truncated ELF file (30 bytes): the ELF header end early' });
  const bad = Buffer.from(full);
  bad[4] = 7;
  assert.deepEqual(parseElf(bufferSource(bad)), { ok: false, error: 'damaged ELF file: unknown class 7' });
});

const STATUS = 'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\nDescription: C\n continued\n\nPackage: app\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n';

/** A root folder with usr-merge symlinks, a loader, a libc and a dpkg database naming them under /lib. */
function makeRoot(extra: (put: (p: string, b: Buffer | string) => void) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'ownbase-elf-root-'));
  const put = (p: string, b: Buffer | string): void => { mkdirSync(dirname(join(root, p)), { recursive: true }); writeFileSync(join(root, p), b); };
  mkdirSync(join(root, 'usr/lib/x86_64-linux-gnu'), { recursive: true });
  mkdirSync(join(root, 'usr/lib64'), { recursive: true });
  symlinkSync('usr/lib', join(root, 'lib'));
  symlinkSync('usr/lib64', join(root, 'lib64'));
  symlinkSync('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', join(root, 'usr/lib64/ld-linux-x86-64.so.2'));
  const lib = (spec: Partial<ElfSpec>): Buffer => makeElf({ bits: 64, endian: 'little', machine: X86_64, ...spec });
  put('usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', lib({ soname: 'ld-linux-x86-64.so.2' }));
  put('usr/lib/x86_64-linux-gnu/libc.so.6', lib({ soname: 'libc.so.6', needed: ['ld-linux-x86-64.so.2'], exports: ['_nss_files_getpwnam_r', 'getpwnam'] }));
  put('var/lib/dpkg/status', STATUS);
  put('var/lib/dpkg/info/libc6:amd64.list', '/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n/lib64/ld-linux-x86-64.so.2\n/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n');
  put('var/lib/dpkg/info/libc6:amd64.md5sums', `${'a'.repeat(32)}  lib/x86_64-linux-gnu/libc.so.6\n`);
  put('var/lib/dpkg/info/app.list', '/opt/app/bin/app\n/opt/app/lib/libfoo.so.1\n');
  extra(put);
  return root;
}

const lib64 = (spec: Partial<ElfSpec>): Buffer => makeElf({ bits: 64, endian: 'little', machine: X86_64, ...spec });
const program = (spec: Partial<ElfSpec>): Buffer => lib64({ interp: '/lib64/ld-linux-x86-64.so.2', ...spec });

test('resolution against a root: PT_INTERP, $ORIGIN runpath, recursion, a missing library, packages through usr-merge', () => {
  const root = makeRoot((put) => {
    put('opt/app/bin/app', program({ needed: ['libfoo.so.1', 'libc.so.6'], runpath: '$ORIGIN/../lib' }));
    put('opt/app/lib/libfoo.so.1', lib64({ soname: 'libfoo.so.1', needed: ['libbar.so.2', 'libc.so.6'] }));
  });
  try {
    const r = needsOf(root, [{ path: '/opt/app/bin/app' }]);
    const b = r.binaries[0]!;
    assert.equal(b.linking, 'dynamic');
    assert.equal(b.package, 'app');
    assert.deepEqual(b.needed.map((n) => [n.soname, n.file, n.real, n.package, n.reason]), [
      ['ld-linux-x86-64.so.2', '/lib64/ld-linux-x86-64.so.2', '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 'libc6', 'PT_INTERP of /opt/app/bin/app'],
      ['libfoo.so.1', '/opt/app/lib/libfoo.so.1', '/opt/app/lib/libfoo.so.1', 'app', 'DT_NEEDED of /opt/app/bin/app'],
      ['libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'libc6', 'DT_NEEDED of /opt/app/bin/app'],
    ]);
    assert.deepEqual(b.missing, [{ soname: 'libbar.so.2', neededBy: '/opt/app/lib/libfoo.so.1', reason: 'DT_NEEDED of /opt/app/lib/libfoo.so.1' }]);
    assert.deepEqual(r.packages.map((p) => `${p.name} ${p.version}`), ['app 1.0', 'libc6 2.36-9']);
    const json = needsJson(r);
    assert.equal(json.version, 1);
    assert.equal(json.binaries[0]!.static, false);
    assert.equal(json.binaries[0]!.interpreter, '/lib64/ld-linux-x86-64.so.2');
    assert.deepEqual(Object.keys(json.binaries[0]!.needed[0]!), ['soname', 'file', 'package', 'bytes', 'reason']);
    assert.equal(json.bytes, b.bytes + b.needed.reduce((s, n) => s + n.bytes, 0));
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('DT_RPATH is inherited by libraries without a runpath; DT_RUNPATH is not, and wins over ld.so.conf', () => {
  const root = makeRoot((put) => {
    put('opt/a/libz.so.1', lib64({ soname: 'libz.so.1', needed: ['libc.so.6'] }));
    put('usr/lib/x86_64-linux-gnu/libz.so.1', lib64({ soname: 'libz.so.1', needed: ['libc.so.6'] }));
    put('opt/a/libfoo.so.1', lib64({ soname: 'libfoo.so.1', needed: ['libz.so.1'] }));
    put('usr/bin/with-rpath', program({ needed: ['libfoo.so.1', 'libc.so.6'], rpath: '/opt/a' }));
    put('usr/bin/with-runpath', program({ needed: ['libfoo.so.1', 'libc.so.6'], runpath: '/opt/a' }));
    // A 32-bit library first on the path is skipped, as the loader skips it.
    put('opt/conf/libq.so.1', makeElf({ bits: 32, endian: 'little', machine: 3, soname: 'libq.so.1' }));
    put('opt/conf64/libq.so.1', lib64({ soname: 'libq.so.1' }));
    put('usr/bin/conf', program({ needed: ['libq.so.1', 'libc.so.6'] }));
    put('etc/ld.so.conf', 'include /etc/ld.so.conf.d/*.conf\n');
    put('etc/ld.so.conf.d/a.conf', '# first\n/opt/conf\n');
    put('etc/ld.so.conf.d/b.conf', '/opt/conf64\n');
    put('etc/ld.so.conf.d/skip.txt', '/never\n');
  });
  try {
    const rootfs = new RootFs(root);
    assert.deepEqual(ldSoConfDirs(rootfs), ['/opt/conf', '/opt/conf64']);
    const r = needsOf(root, [{ path: '/usr/bin/with-rpath' }, { path: '/usr/bin/with-runpath' }, { path: '/usr/bin/conf' }]);
    const fileOf = (i: number, soname: string): string | undefined => r.binaries[i]!.needed.find((n) => n.soname === soname)?.file;
    assert.equal(fileOf(0, 'libz.so.1'), '/opt/a/libz.so.1');
    assert.equal(fileOf(1, 'libz.so.1'), '/lib/x86_64-linux-gnu/libz.so.1');
    assert.equal(fileOf(2, 'libq.so.1'), '/opt/conf64/libq.so.1');
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('files loaded by name: NSS modules from nsswitch.conf (built-in ones skipped), gconv, libgcc_s, each with its reason', () => {
  const root = makeRoot((put) => {
    put('etc/nsswitch.conf', 'passwd: files [NOTFOUND=return] mymod absent\ngroup: files\n');
    put('usr/lib/x86_64-linux-gnu/libnss_mymod.so.2', lib64({ soname: 'libnss_mymod.so.2', needed: ['libc.so.6', 'libcap.so.2'] }));
    put('usr/lib/x86_64-linux-gnu/libcap.so.2', lib64({ soname: 'libcap.so.2', needed: ['libc.so.6'] }));
    put('usr/lib/x86_64-linux-gnu/libnss_files.so.2', lib64({ soname: 'libnss_files.so.2' }));
    put('usr/lib/x86_64-linux-gnu/libgcc_s.so.1', lib64({ soname: 'libgcc_s.so.1', needed: ['libc.so.6'] }));
    put('usr/lib/x86_64-linux-gnu/gconv/gconv-modules', 'module x y z 1\n');
    put('usr/lib/x86_64-linux-gnu/gconv/gconv-modules.d/extra.conf', 'module a b c 1\n');
    put('usr/bin/who', program({ needed: ['libc.so.6'], imports: ['getpwuid', 'iconv_open', 'pthread_cancel', 'printf'] }));
    put('usr/bin/plain', program({ needed: ['libc.so.6'], imports: ['printf'] }));
  });
  try {
    const r = needsOf(root, [{ path: '/usr/bin/who' }, { path: '/usr/bin/plain' }]);
    assert.deepEqual(r.binaries[0]!.needed.map((n) => [n.soname, n.file, n.reason]).slice(2), [
      ['nsswitch.conf', '/etc/nsswitch.conf', 'getpwuid (/usr/bin/who): the C library reads nsswitch.conf for its databases'],
      ['libnss_mymod.so.2', '/lib/x86_64-linux-gnu/libnss_mymod.so.2', 'getpwuid (/usr/bin/who): passwd: mymod in nsswitch.conf'],
      ['gconv-modules', '/usr/lib/x86_64-linux-gnu/gconv/gconv-modules', 'iconv_open (/usr/bin/who): the C library finds converters by charset name in the gconv module list (add the converters you use)'],
      ['extra.conf', '/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.d/extra.conf', 'iconv_open (/usr/bin/who): the C library finds converters by charset name in the gconv module list (add the converters you use)'],
      ['libgcc_s.so.1', '/lib/x86_64-linux-gnu/libgcc_s.so.1', 'pthread_cancel (/usr/bin/who): the C library loads libgcc_s.so.1 to unwind a cancelled thread'],
      ['libcap.so.2', '/lib/x86_64-linux-gnu/libcap.so.2', 'DT_NEEDED of /lib/x86_64-linux-gnu/libnss_mymod.so.2'],
    ]);
    assert.deepEqual(r.binaries[0]!.missing, []);
    assert.deepEqual(r.binaries[1]!.needed.map((n) => n.soname), ['ld-linux-x86-64.so.2', 'libc.so.6']);
    assert.deepEqual(nsswitchServices('hosts: files mdns4_minimal [NOTFOUND=return] dns # x\n', 'hosts'), ['files', 'mdns4_minimal', 'dns']);
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('a binary that is not ELF or not there is an entry with its error', () => {
  const root = makeRoot((put) => put('usr/bin/script', '#!/bin/sh\n'));
  try {
    const r = needsOf(root, [{ path: '/usr/bin/script' }, { path: '/usr/bin/none' }]);
    assert.equal(r.binaries[0]!.error, 'not an ELF file: a script (#!/bin/sh)');
    assert.equal(r.binaries[1]!.error, `no such file in the root ${root}`);
    assert.equal(r.bytes, 0);
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('/bin/ls resolved against / finds every library ldd finds, at the same file, with its package', () => {
  const r = needsOf('/', [{ path: '/bin/ls' }]);
  const b = r.binaries[0]!;
  assert.equal(b.error, undefined);
  assert.equal(b.linking, 'dynamic');
  assert.deepEqual(b.missing, []);
  const ldd = execFileSync('ldd', ['/bin/ls'], { encoding: 'utf8' });
  const pairs = [...ldd.matchAll(/^\s*(\S+) => (\/\S+)/gm)].map((m) => [m[1]!, realpathSync(m[2]!)]);
  assert.ok(pairs.length >= 1);
  for (const [soname, file] of pairs) {
    const n = b.needed.find((x) => x.soname === soname);
    assert.ok(n, `${soname} is reported`);
    assert.equal(realpathSync(n.real), file);
  }
  assert.equal(b.needed.find((n) => n.soname === 'libc.so.6')?.package, 'libc6');
  assert.equal(b.interpreter, execFileSync('readelf', ['-l', '/bin/ls'], { encoding: 'utf8' }).match(/interpreter: (\S+)\]/)?.[1]);
});

test('stageImage: the needed files with their symlinks, accounts, /tmp, --with packages, status.d with md5sums of what is held', async () => {
  const { stageImage } = await import('../../../src/core/elf/image');
  const { PackageIndex } = await import('../../../src/core/elf/packages');
  const { lstatSync, readFileSync, readlinkSync, readdirSync } = await import('node:fs');
  const { createHash } = await import('node:crypto');
  const root = makeRoot((put) => {
    put('usr/bin/app', program({ needed: ['libc.so.6'] }));
    put('usr/share/zoneinfo/UTC', 'TZif2-utc');
    put('usr/share/doc/tzdata/copyright', 'text');
    put('etc/ssl/certs/ca-certificates.crt', 'PEM');
    put('usr/share/ca-certificates/mozilla/A.crt', 'A');
    put('usr/sbin/update-ca-certificates', '#!/bin/sh\n');
    put('var/lib/dpkg/status', `${STATUS}\nPackage: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2024a\n\nPackage: ca-certificates\nStatus: install ok installed\nArchitecture: all\nVersion: 20230311\n`);
    put('var/lib/dpkg/info/tzdata.list', '/usr/share/zoneinfo\n/usr/share/zoneinfo/UTC\n/usr/share/doc/tzdata/copyright\n');
    put('var/lib/dpkg/info/ca-certificates.list', '/usr/share/ca-certificates/mozilla/A.crt\n/usr/sbin/update-ca-certificates\n');
    put('var/lib/dpkg/info/app.list', '/usr/bin/app\n');
  });
  const stage = mkdtempSync(join(tmpdir(), 'ownbase-elf-stage-'));
  try {
    const rootfs = new RootFs(root);
    const index = new PackageIndex(rootfs);
    const report = needsOf(root, [{ path: '/usr/bin/app' }], { index });
    const staged = stageImage(report, rootfs, index, stage, { user: 'app', with: ['tzdata', 'ca-certificates'] });
    assert.equal(staged.entrypoint, '/usr/bin/app');
    assert.equal(staged.arch, 'amd64');
    assert.deepEqual(staged.packages, ['app', 'ca-certificates', 'libc6', 'tzdata']);
    assert.deepEqual(staged.files, ['/etc/group', '/etc/passwd', '/etc/ssl/certs/ca-certificates.crt', '/lib', '/lib64', '/usr/bin/app',
      '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib64/ld-linux-x86-64.so.2',
      '/usr/share/ca-certificates/mozilla/A.crt', '/usr/share/zoneinfo/UTC']);
    assert.equal(readlinkSync(join(stage, 'lib')), 'usr/lib');
    assert.equal(readlinkSync(join(stage, 'usr/lib64/ld-linux-x86-64.so.2')), '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
    assert.equal(readFileSync(join(stage, 'etc/passwd'), 'utf8'), 'root:x:0:0:root:/root:/sbin/nologin\napp:x:65532:65532:app:/home/app:/sbin/nologin\n');
    assert.equal(readFileSync(join(stage, 'etc/group'), 'utf8'), 'root:x:0:\napp:x:65532:\n');
    assert.equal(lstatSync(join(stage, 'tmp')).mode & 0o7777, 0o1777);
    assert.deepEqual(readdirSync(join(stage, 'var/lib/dpkg/status.d')), ['app', 'app.md5sums', 'ca-certificates', 'ca-certificates.md5sums', 'libc6', 'libc6.md5sums', 'tzdata', 'tzdata.md5sums']);
    assert.equal(readFileSync(join(stage, 'var/lib/dpkg/status.d/libc6'), 'utf8'), 'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\nDescription: C\n continued\n');
    // libc6's md5sums come from the database where it has them, else they are computed; the tzdata doc is not held.
    const md5 = (p: string): string => createHash('md5').update(readFileSync(join(root, p))).digest('hex');
    assert.equal(readFileSync(join(stage, 'var/lib/dpkg/status.d/libc6.md5sums'), 'utf8'),
      `${'a'.repeat(32)}  lib/x86_64-linux-gnu/libc.so.6\n${md5('usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2')}  lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n`);
    assert.equal(readFileSync(join(stage, 'var/lib/dpkg/status.d/tzdata.md5sums'), 'utf8'), `${createHash('md5').update('TZif2-utc').digest('hex')}  usr/share/zoneinfo/UTC\n`);
    assert.throws(() => stageImage(report, rootfs, index, mkdtempSync(join(tmpdir(), 'ownbase-elf-stage-')), { user: 'app', with: ['nope'] }), /--with nope: the root has no package nope installed/);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(stage, { recursive: true, force: true });
  }
});
