import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import * as tar from 'tar-stream';
import { ImageTree } from '../../../src/core/checks/tree';
import { globRegex } from '../../../src/core/kernel/glob';

const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(57)]);
const LIBC = Buffer.concat([ELF, Buffer.from('libc bytes')]);
const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; mode?: number; uid?: number; gid?: number; body?: Buffer | string; linkname?: string };

/** A runtime image's export, as docker export writes it (relative names, directories first). */
function image(extra: Entry[] = [], sums = `${md5(LIBC)}  usr/lib/x86_64-linux-gnu/libc.so.6\n`): Entry[] {
  return [
    ...['etc', 'tmp', 'usr', 'usr/lib', 'usr/lib/x86_64-linux-gnu', 'usr/lib64', 'usr/local', 'usr/local/bin', 'var', 'var/lib', 'var/lib/dpkg', 'var/lib/dpkg/status.d']
      .map((name): Entry => ({ name, type: 'directory', mode: name === 'tmp' ? 0o1777 : 0o755 })),
    { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
    { name: 'lib64', type: 'symlink', linkname: 'usr/lib64' },
    { name: 'etc/passwd', body: 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n', mode: 0o644 },
    { name: 'etc/group', body: 'root:x:0:\nnonroot:x:65532:\nstaff:x:50:nonroot\n', mode: 0o644 },
    { name: 'usr/lib/os-release', body: 'ID=debian\nVERSION_CODENAME=bookworm\n', mode: 0o644 },
    { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { name: 'usr/lib/x86_64-linux-gnu/libc.so.6', body: LIBC, mode: 0o755 },
    { name: 'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', body: ELF, mode: 0o755 },
    { name: 'usr/lib64/ld-linux-x86-64.so.2', type: 'symlink', linkname: '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
    { name: 'usr/local/bin/hello', body: ELF, mode: 0o755, uid: 0, gid: 50 },
    { name: 'var/lib/dpkg/status.d/libc6', body: 'Package: libc6\nStatus: install ok installed\n', mode: 0o644 },
    { name: 'var/lib/dpkg/status.d/libc6.md5sums', body: sums, mode: 0o644 },
    ...extra,
  ];
}

async function treeOf(entries: Entry[], keep = 1 << 20): Promise<ImageTree> {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  const read = ImageTree.read(out, keep);
  for (const e of entries) {
    const body = e.body === undefined ? undefined : Buffer.from(e.body);
    const header = { name: e.name, type: e.type ?? 'file', mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0, ...(e.linkname !== undefined && { linkname: e.linkname }) } as const;
    if (body) pack.entry({ ...header, size: body.length }, body);
    else pack.entry(header);
  }
  pack.finalize();
  return read;
}

test('a runtime image read from its tar: symlinks followed, stat, id and text as the scripts give them', async () => {
  const t = await treeOf(image());
  assert.equal(t.resolve('/lib64/ld-linux-x86-64.so.2')?.path, '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
  assert.equal(t.text('/etc/os-release'), 'ID=debian\nVERSION_CODENAME=bookworm\n');
  assert.equal(t.stat(['/usr/local/bin/*', '/lib/x86_64-linux-gnu/libc.so.*', '/nothing/*']),
    'P 0\nF 755 0 50 root staff /usr/local/bin/hello\nP 1\nF 755 0 0 root root /lib/x86_64-linux-gnu/libc.so.6\nP 2\n');
  assert.equal(t.stat(['/tmp']), 'P 0\nF 1777 0 0 root root /tmp\n');
  assert.equal(t.id('nonroot'), '65532\n65532 50\n');
  assert.equal(t.id('65532'), '65532\n65532 50\n');
  assert.equal(t.id('nobody'), undefined);
  assert.equal(t.loader(), '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
  assert.deepEqual(t.elfFiles(), ['/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/local/bin/hello']);
  assert.equal(t.scanners(), '', 'os-release through its link, status.d, md5sums matching');
  assert.equal(t.setuid(), '');
});

test('scanners: a changed or absent file against status.d md5sums, no os-release, no dpkg status', async () => {
  const changed = await treeOf(image([], `${md5('other bytes')}  usr/lib/x86_64-linux-gnu/libc.so.6\n${md5('x')}  usr/share/gone\n`));
  assert.equal(changed.scanners(), '/var/lib/dpkg/status.d/libc6.md5sums: /usr/lib/x86_64-linux-gnu/libc.so.6 differs from its md5sum\n'
    + '/var/lib/dpkg/status.d/libc6.md5sums lists /usr/share/gone, which the image does not hold\n');
  const bare = await treeOf(image().filter((e) => !/os-release|status\.d/.test(e.name)));
  assert.equal(bare.scanners(), 'no /etc/os-release (nor /usr/lib/os-release)\nno dpkg status (neither /var/lib/dpkg/status nor /var/lib/dpkg/status.d/)\n');
});

test('setuid: a setuid file no package lists is named; one a package lists (usr-merge alias) is not', async () => {
  const t = await treeOf(image([
    { name: 'usr/local/bin/su', body: ELF, mode: 0o4755 },
    { name: 'usr/bin', type: 'directory', mode: 0o755 },
    { name: 'usr/bin/passwd', body: 'p', mode: 0o4755 },
    { name: 'var/lib/dpkg/status.d/passwd.md5sums', body: `${md5('p')}  bin/passwd\n` },
  ]));
  assert.equal(t.setuid(), '/usr/local/bin/su\n');
});

test('globs: one component each, no leading dot unless written, brackets and negation', () => {
  assert.ok(globRegex('*.so.*').test('libc.so.6'));
  assert.ok(!globRegex('*').test('.hidden'));
  assert.ok(globRegex('.h*').test('.hidden'));
  assert.ok(globRegex('lib[cm].so').test('libm.so'));
  assert.ok(!globRegex('lib[!cm].so').test('libc.so'));
  assert.ok(globRegex('a+b(c)').test('a+b(c)'), 'regex characters are literal');
});

test('a file kept only up to the keep; its md5 is of all of it', async () => {
  const t = await treeOf(image(), 8);
  const libc = t.resolve('/lib/x86_64-linux-gnu/libc.so.6')!;
  assert.equal(libc.head!.length, 8);
  assert.equal(libc.md5, md5(LIBC));
});

test('the scanners check on a runtime image: skipped for a static program\'s image that took no package, failed for one that names packages but lacks their metadata', async () => {
  const { runChecks } = await import('../../../src/core/checks/run');
  // A static program's FROM-scratch image: the program and its accounts, no dpkg metadata, no os-release.
  const bare = image().filter((e) => !/^(var\/lib\/dpkg|usr\/lib\/os-release|etc\/os-release|usr\/lib\/x86_64|usr\/lib64\/)/.test(e.name));
  const check = { id: 'builtins.scanners', title: 'scanners', path: [], kind: 'builtin', builtin: 'scanners', why: '' } as const;
  const target = (packages: string) => ({
    name: 'img', driver: 'engine' as const,
    exec: async () => ({ exitCode: null, stdout: '', stderr: '', timedOut: false, error: 'no shell' }),
    config: async () => ({ env: {}, cmd: [], entrypoint: ['/usr/local/bin/hello'], workdir: '/', user: 'nonroot', exposedPorts: [], labels: { 'ownbase.needs.packages': packages } }),
    size: async () => 0, compressedSize: async () => 0, tree: () => treeOf(bare), close: async () => undefined,
  });
  const skipped = (await runChecks([check], target(''))).results[0]!;
  assert.equal(skipped.status, 'skipped');
  assert.match(skipped.message, /^The image holds no distribution package/);
  const failed = (await runChecks([check], target('libc6'))).results[0]!;
  assert.equal(failed.status, 'failed');
  assert.match(failed.message, /^Scanners cannot identify this image: no \/etc\/os-release \(nor \/usr\/lib\/os-release\); no dpkg status/);
});
