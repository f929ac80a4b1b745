// Cross-architecture: the binfmt_misc check's exact messages, and a real arm64 build on this host
// (debootstrap --foreign, qemu-aarch64-static, second stage in the chroot).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHECK_BINFMT } from '../../src/core/build/scripts';
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
after(() => {
  spawnSync('docker', ['rmi', '-f', TAG], { stdio: 'ignore' });
  if (base && mountsUnder(base).length === 0) rmSync(base, { recursive: true, force: true });
});

test('arm64 on this amd64 host for real: foreign first stage, second stage under qemu, an arm64 image that runs',
  { skip: skip || (process.arch !== 'x64' ? 'the cross test runs on amd64 hosts' : false), timeout: 900_000 }, async () => {
    base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : '/var/tmp', 'ownbase-it-cross-'));
    let out = '';
    let err = '';
    const code = await runCli(['build', join(ROOT, 'examples/arm64-cross.ownbase.yaml'), '--tag', TAG, '--workdir', base, '--no-cache'], {
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
    assert.deepEqual(headers.slice(2), ['bootstrap debian bookworm arm64 (debootstrap --foreign)', 'copy qemu-aarch64-static into the rootfs',
      'debootstrap --second-stage inside the chroot', 'install ca-certificates in the chroot', 'slim: no docs, man pages, locales, apt lists or caches',
      'remove build-time traces', `import as ${TAG}`]);
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
