// Cross-architecture: the binfmt_misc check's exact messages; always, a tiny arm64 program run by the
// host's qemu through binfmt_misc, imported as an arm64 image that runs; with OWNBASE_SLOW_TESTS=1, a
// real arm64 build (debootstrap --foreign, qemu-aarch64-static, second stage in the chroot; 5+ minutes).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { planBuild } from '../../src/core/build/plan';
import { CHECK_BINFMT } from '../../src/core/build/scripts';
import { loadRecipe } from '../../src/core/recipe';
import { mountsUnder } from '../../src/core/run/mounts';
import { runCli } from '../../src/cli/run';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}
const ROOT = repoRoot();
const IS_ROOT = process.getuid?.() === 0;
const skip = IS_ROOT ? false : 'needs root (mount namespaces, debootstrap, chroot)';
const BINFMT = '/proc/sys/fs/binfmt_misc';
const TAG = 'ownbase-it/cross:arm64';
const TINY_TAG = `ownbase-test-ci-cross/tiny:${randomBytes(4).toString('hex')}`;
const CROSS_RECIPE = join(ROOT, 'examples/arm64-cross.ownbase.yaml');
const SLOW = process.env['OWNBASE_SLOW_TESTS'] === '1';
const CI = process.env['CI'] === 'true' || process.env['CI'] === '1';
/** The step titles of the arm64 example's build on an amd64 host, after the binfmt check and `create`. */
const CROSS_STEPS = ['bootstrap debian bookworm arm64 (debootstrap --foreign)', 'copy qemu-aarch64-static into the rootfs',
  'debootstrap --second-stage inside the chroot', 'install ca-certificates in the chroot', "take SOURCE_DATE_EPOCH from the archive's Release date", 'slim: no docs, man pages, locales, apt lists or caches',
  'remove build-time traces'];

/**
 * A 155-byte static arm64 Linux program: write(1, "hi\n", 3); exit(0). Built here, byte by byte (no
 * cross compiler needed): an ELF header, one PT_LOAD program header, eight A64 instructions and the text.
 */
function tinyArm64Program(): Buffer {
  // mov x0,#1; adr x1,msg; mov x2,#3; mov x8,#64 (write); svc #0; mov x0,#0; mov x8,#93 (exit); svc #0
  const code = [0xd2800020, 0x100000e1, 0xd2800062, 0xd2800808, 0xd4000001, 0xd2800000, 0xd2800ba8, 0xd4000001];
  const text = Buffer.concat([Buffer.from(new Uint32Array(code).buffer), Buffer.from('hi\n')]);
  const h = Buffer.alloc(64 + 56);
  const load = 0x400000n;
  h.write('\x7fELF', 0, 'latin1');
  h.set([2, 1, 1], 4); // 64-bit, little-endian, ELF version 1
  h.writeUInt16LE(2, 16); // ET_EXEC
  h.writeUInt16LE(183, 18); // EM_AARCH64
  h.writeUInt32LE(1, 20);
  h.writeBigUInt64LE(load + BigInt(h.length), 24); // entry: the first instruction
  h.writeBigUInt64LE(64n, 32); // program headers right after this header
  h.writeUInt16LE(64, 52);
  h.writeUInt16LE(56, 54);
  h.writeUInt16LE(1, 56);
  h.writeUInt16LE(64, 58);
  h.writeUInt32LE(1, 64); // PT_LOAD
  h.writeUInt32LE(5, 68); // R+X
  h.writeBigUInt64LE(load, 80);
  h.writeBigUInt64LE(load, 88);
  const size = BigInt(h.length + text.length);
  h.writeBigUInt64LE(size, 96);
  h.writeBigUInt64LE(size, 104);
  h.writeBigUInt64LE(0x10000n, 112);
  return Buffer.concat([h, text]);
}

/** CHECK_BINFMT against a fake binfmt_misc: a tmpfs over it in a private mount namespace, `setup` fills it. */
function check(setup: string): { status: number | null; out: string } {
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c',
    `mount -t tmpfs ownbase-test ${BINFMT} && cd ${BINFMT} && ${setup} && exec sh -c "$1" sh aarch64 arm64`, 'sh', CHECK_BINFMT], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('binfmt_misc check: an exact message for each thing that is missing', { skip }, () => {
  assert.deepEqual(check('true'), { status: 1,
    out: `ownbase: arm64 programs run here through qemu, but binfmt_misc is not mounted. Run: mount -t binfmt_misc binfmt_misc ${BINFMT}\n` });
  assert.deepEqual(check('touch status'), { status: 1,
    out: 'ownbase: no binfmt_misc handler for arm64 (qemu-aarch64). Install it: apt-get install qemu-user-static binfmt-support\n' });
  assert.deepEqual(check("touch status && printf 'disabled\\nflags: PF\\n' > qemu-aarch64"), { status: 1,
    out: 'ownbase: the binfmt_misc handler qemu-aarch64 is disabled. Run: update-binfmts --enable qemu-aarch64\n' });
  assert.deepEqual(check("touch status && printf 'enabled\\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\\nflags: P\\n' > qemu-aarch64"), { status: 1,
    out: 'ownbase: the binfmt_misc handler qemu-aarch64 lacks flag F, so programs inside a chroot cannot reach the emulator. '
      + 'Register Debian\'s (it sets F): apt-get install --reinstall qemu-user-static binfmt-support && update-binfmts --enable qemu-aarch64\n' });
  const ok = check("touch status && printf 'enabled\\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\\nflags: PF\\n' > qemu-aarch64");
  if (existsSync('/usr/bin/qemu-aarch64-static')) assert.deepEqual(ok, { status: 0, out: 'binfmt_misc: qemu-aarch64 registered with flag F\n' });
  else assert.deepEqual(ok, { status: 1, out: 'ownbase: /usr/bin/qemu-aarch64-static is missing. Install it: apt-get install qemu-user-static\n' });
});

const registered = (): boolean => {
  try { return /^enabled$/m.test(readFileSync(`${BINFMT}/qemu-aarch64`, 'utf8')) && /^flags:.*F/m.test(readFileSync(`${BINFMT}/qemu-aarch64`, 'utf8')); } catch { return false; }
};

let base = '';
let tiny = '';
after(() => {
  spawnSync('docker', ['rmi', '-f', TAG, TINY_TAG], { stdio: 'ignore' });
  if (base && mountsUnder(base).length === 0) rmSync(base, { recursive: true, force: true });
  if (tiny) rmSync(tiny, { recursive: true, force: true });
});

const notAmd64 = process.arch !== 'x64' ? 'the cross tests run on amd64 hosts' : false;

test('arm64 on this amd64 host, small: the plan bootstraps --foreign, qemu runs an arm64 program, the image says arm64 and runs it',
  { skip: skip || notAmd64, timeout: 120_000 }, async (t) => {
    const recipe = loadRecipe(readFileSync(CROSS_RECIPE, 'utf8')).recipe!;
    const plan = planBuild(recipe, { hostArch: 'amd64', workdir: '/var/tmp/ownbase-plan-only' });
    const titles = plan.steps.map((s) => s.title);
    assert.equal(titles[0], 'check binfmt_misc runs arm64 (qemu-aarch64)');
    assert.deepEqual(titles.slice(2, -1), CROSS_STEPS);
    assert.equal(titles.at(-1), 'import as owned/bookworm-arm64:12');
    if (!registered()) {
      // .ci/run registers it; elsewhere this says what is missing instead of failing on it.
      assert.ok(!CI, `binfmt_misc runs no arm64 programs here: ${check('true').out}`);
      t.skip('binfmt_misc has no qemu-aarch64 handler with flag F here (apt-get install qemu-user-static binfmt-support)');
      return;
    }
    tiny = mkdtempSync('/var/tmp/ownbase-test-ci-cross-');
    mkdirSync(join(tiny, 'etc'));
    writeFileSync(join(tiny, 'hello'), tinyArm64Program(), { mode: 0o755 });
    assert.equal(execFileSync(join(tiny, 'hello'), { encoding: 'utf8' }), 'hi\n', 'the host runs it through qemu-aarch64');

    let out = '';
    let err = '';
    // --no-checks: a one-program rootfs has no apt, no loader and no dpkg status to check.
    const code = await runCli(['build', CROSS_RECIPE, '--from-rootfs', tiny, '--tag', TINY_TAG, '--no-checks'], {
      cwd: tiny, stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } },
    });
    assert.equal(code, 0, `${out}\n${err}`);
    const info = JSON.parse(execFileSync('docker', ['image', 'inspect', TINY_TAG], { encoding: 'utf8' }))[0];
    assert.equal(info.Architecture, 'arm64');
    assert.equal(info.Variant, 'v8');
    assert.equal(info.Os, 'linux');
    assert.equal(execFileSync('docker', ['run', '--rm', '--network', 'none', '--platform', 'linux/arm64', TINY_TAG, '/hello'], { encoding: 'utf8' }), 'hi\n');
  });

test('arm64 on this amd64 host for real: foreign first stage, second stage under qemu, an arm64 image that runs',
  { skip: skip || notAmd64 || (SLOW ? false : 'slow (5+ minutes): OWNBASE_SLOW_TESTS=1 runs it'), timeout: 900_000 }, async () => {
    base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : '/var/tmp', 'ownbase-it-cross-'));
    let out = '';
    let err = '';
    const code = await runCli(['build', CROSS_RECIPE, '--tag', TAG, '--workdir', base, '--no-cache', '--force'], {
      cwd: base, stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } },
    });
    if (!registered()) {
      // Without the handler the build stops at its first step with the exact instruction.
      assert.equal(code, 1);
      assert.match(err, /^ownbase: (arm64 programs run here through qemu, but binfmt_misc is not mounted|no binfmt_misc handler for arm64|the binfmt_misc handler qemu-aarch64)/m);
      return;
    }
    assert.equal(code, 0, `${out.slice(-3000)}\n${err.slice(-3000)}`);
    const headers = out.split('\n').filter((l) => l.startsWith('==> ')).map((l) => l.replace(/^==> \[\d+\/\d+\] /, ''));
    assert.equal(headers[0], 'check binfmt_misc runs arm64 (qemu-aarch64)');
    assert.match(headers[1]!, /^create .*\/rootfs$/);
    assert.deepEqual(headers.slice(2), [...CROSS_STEPS, `import as ${TAG}`]);
    const info = JSON.parse(execFileSync('docker', ['image', 'inspect', TAG], { encoding: 'utf8' }))[0];
    assert.equal(info.Architecture, 'arm64');
    assert.equal(info.Variant, 'v8');
    const inside = execFileSync('docker', ['run', '--rm', '--network', 'none', '--platform', 'linux/arm64', TAG, 'sh', '-c',
      'uname -m; dpkg --print-architecture; test -e /usr/bin/qemu-aarch64-static && echo qemu-left || echo no-qemu; test -d /debootstrap && echo debootstrap-left || echo clean; test -f /etc/ssl/certs/ca-certificates.crt && echo certs'],
    { encoding: 'utf8' });
    assert.equal(inside, 'aarch64\narm64\nno-qemu\nclean\ncerts\n');
    assert.deepEqual(readdirSync(base), []);
    assert.deepEqual(mountsUnder(base), []);
  });
