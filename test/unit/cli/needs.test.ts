import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../../../src/cli/run';
import { missingFromOutput, parseNeedsArgs, runtimeImageName } from '../../../src/cli/needs';
import { makeElf } from '../elf/makeElf';

async function cli(args: string[], cwd = tmpdir()): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } } });
  return { code, stdout, stderr };
}

test('needs: options are checked before any work', () => {
  assert.deepEqual(parseNeedsArgs(['./a', 'b', '--root=/r', '--format', 'json', '--image', 'x/y:1', '--with', 'tzdata,ca-certificates', '--user', 'app', '--smoke', '--', '--version']), {
    binaries: ['./a', 'b'], root: '/r', format: 'json', image: 'x/y:1', with: ['tzdata', 'ca-certificates'], user: 'app', smoke: ['--version'],
  });
  assert.deepEqual(parseNeedsArgs(['a']), { binaries: ['a'], root: '/', format: 'text', with: [], user: 'nonroot' });
  assert.throws(() => parseNeedsArgs([]), /which binary\?/);
  assert.throws(() => parseNeedsArgs(['a', '--format', 'xml']), /--format must be text or json, not 'xml'/);
  assert.throws(() => parseNeedsArgs(['a', '--smoke']), /--smoke goes with --image NAME/);
  assert.throws(() => parseNeedsArgs(['a', '--image', 'Bad Name']), /--image: /);
  assert.throws(() => parseNeedsArgs(['a', '--image', 'x', '--user', 'root']), /--user takes a user name/);
  assert.throws(() => parseNeedsArgs(['a', '--frob']), /unknown option '--frob'/);
});

test('needs: the loader\'s and the engine\'s words for a missing file', () => {
  assert.equal(missingFromOutput('/app: error while loading shared libraries: libfoo.so.1: cannot open shared object file: No such file or directory\n'), 'libfoo.so.1');
  assert.equal(missingFromOutput('exec /usr/local/bin/hello: no such file or directory\n'), '/usr/local/bin/hello');
  assert.equal(missingFromOutput('segfault\n'), undefined);
});

test('needs --format json on a root folder: the issue\'s shape, exit 1 for a missing library, 2 for a non-ELF file', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ownbase-needs-cli-'));
  const put = (p: string, b: Buffer | string): void => { mkdirSync(dirname(join(root, p)), { recursive: true }); writeFileSync(join(root, p), b); };
  try {
    const elf = (spec: Partial<Parameters<typeof makeElf>[0]>): Buffer => makeElf({ bits: 64, endian: 'little', machine: 183, ...spec });
    mkdirSync(join(root, 'usr/lib/aarch64-linux-gnu'), { recursive: true });
    symlinkSync('usr/lib', join(root, 'lib'));
    put('usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1', elf({ soname: 'ld-linux-aarch64.so.1' }));
    symlinkSync('aarch64-linux-gnu/ld-linux-aarch64.so.1', join(root, 'usr/lib/ld-linux-aarch64.so.1'));
    put('usr/lib/aarch64-linux-gnu/libc.so.6', elf({ soname: 'libc.so.6', needed: ['ld-linux-aarch64.so.1'] }));
    put('usr/bin/app', elf({ interp: '/lib/ld-linux-aarch64.so.1', needed: ['libc.so.6'] }));
    put('usr/bin/broken', elf({ interp: '/lib/ld-linux-aarch64.so.1', needed: ['libgone.so.3', 'libc.so.6'] }));
    put('usr/bin/static', elf({ type: 2, noDynamic: true }));
    put('var/lib/dpkg/status', 'Package: libc6\nStatus: install ok installed\nArchitecture: arm64\nVersion: 2.36-9\n');
    put('var/lib/dpkg/info/libc6:arm64.list', '/lib/aarch64-linux-gnu/libc.so.6\n/lib/ld-linux-aarch64.so.1\n/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1\n');
    put('not-elf', 'just text\n');

    const ok = await cli(['needs', '/usr/bin/app', '/usr/bin/static', '--root', root, '--format', 'json']);
    assert.equal(ok.code, 0, ok.stderr);
    const libcBytes = elf({ soname: 'libc.so.6', needed: ['ld-linux-aarch64.so.1'] }).length;
    const ldBytes = elf({ soname: 'ld-linux-aarch64.so.1' }).length;
    const appBytes = elf({ interp: '/lib/ld-linux-aarch64.so.1', needed: ['libc.so.6'] }).length;
    const staticBytes = elf({ type: 2, noDynamic: true }).length;
    assert.deepEqual(JSON.parse(ok.stdout), {
      version: 1,
      binaries: [
        {
          path: '/usr/bin/app', static: false, interpreter: '/lib/ld-linux-aarch64.so.1',
          needed: [
            { soname: 'ld-linux-aarch64.so.1', file: '/lib/ld-linux-aarch64.so.1', package: 'libc6', bytes: ldBytes, reason: 'PT_INTERP of /usr/bin/app' },
            { soname: 'libc.so.6', file: '/lib/aarch64-linux-gnu/libc.so.6', package: 'libc6', bytes: libcBytes, reason: 'DT_NEEDED of /usr/bin/app' },
          ],
          missing: [],
        },
        { path: '/usr/bin/static', static: true, interpreter: null, needed: [], missing: [] },
      ],
      packages: [{ name: 'libc6', version: '2.36-9', architecture: 'arm64' }],
      bytes: appBytes + ldBytes + libcBytes + staticBytes,
    });

    const broken = await cli(['needs', '/usr/bin/broken', '--root', root]);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /MISSING libgone\.so\.3: DT_NEEDED of \/usr\/bin\/broken/);

    const bad = await cli(['needs', 'not-elf', '--root', root], root);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not-elf: not an ELF file \(starts with 6a 75 73 74\)/);
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('needs --recipe: a recipe file, with or without --image; --with goes with either', () => {
  assert.deepEqual(parseNeedsArgs(['./app', '--recipe', 'out/app.ownbase.yaml', '--with=tzdata']), {
    binaries: ['./app'], root: '/', format: 'text', recipe: 'out/app.ownbase.yaml', with: ['tzdata'], user: 'nonroot',
  });
  assert.throws(() => parseNeedsArgs(['a', '--recipe', 'app.yaml']), /--recipe names a recipe file, NAME\.ownbase\.yaml, not 'app\.yaml'/);
  assert.throws(() => parseNeedsArgs(['a', '--with', 'tzdata']), /--with goes with --image NAME/);
  assert.throws(() => parseNeedsArgs(['a', '--root']), /--root needs a value/);
  assert.throws(() => parseNeedsArgs(['a', '--smoke=yes', '--image', 'x']), /--smoke takes no value/);
  assert.throws(() => parseNeedsArgs(['a', '-x']), /unknown option '-x'/);
  assert.equal(runtimeImageName('/w/My App.ownbase.yaml'), 'owned/my-app:runtime');
});

test('needs: a missing library names the package the root\'s dpkg database lists it in', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ownbase-needs-provider-'));
  const put = (p: string, b: Buffer | string): void => { mkdirSync(dirname(join(root, p)), { recursive: true }); writeFileSync(join(root, p), b); };
  try {
    const elf = (spec: Partial<Parameters<typeof makeElf>[0]>): Buffer => makeElf({ bits: 64, endian: 'little', machine: 183, ...spec });
    put('usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1', elf({ soname: 'ld-linux-aarch64.so.1' }));
    put('usr/bin/app', elf({ interp: '/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1', needed: ['libgone.so.3'] }));
    put('var/lib/dpkg/status', 'Package: libgone3\nStatus: install ok installed\nArchitecture: arm64\nVersion: 3.1-2\n');
    put('var/lib/dpkg/info/libgone3:arm64.list', '/usr/lib/aarch64-linux-gnu/libgone.so.3\n');
    const r = await cli(['needs', '/usr/bin/app', '--root', root]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /MISSING libgone\.so\.3/);
    assert.match(r.stderr, /libgone\.so\.3: the root's dpkg database lists it in libgone3 3\.1-2, but the file is gone/);
  } finally { rmSync(root, { recursive: true, force: true }); }
});
