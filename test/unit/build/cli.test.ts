import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../../../src/cli/run';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}
const ROOT = repoRoot();

async function cli(args: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { cwd, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

function recipe(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ownbase-cli-'));
  writeFileSync(join(dir, 'r.ownbase.yaml'), text);
  return dir;
}

test('ownbase script prints the plan as a script that sh accepts', async () => {
  const r = await cli(['script', 'examples/bookworm-slim.ownbase.yaml', '--workdir', '/var/tmp', '--no-cache']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[0], '#!/bin/sh');
  assert.equal(lines[1], '# Builds owned/bookworm-slim:12 (debian bookworm amd64, mmdebstrap) from examples/bookworm-slim.ownbase.yaml.');
  assert.ok(lines.includes('mkdir -p -- /var/tmp/ownbase-owned-bookworm-slim-12/rootfs'));
  assert.ok(lines.some((l) => l.startsWith('unshare --mount --propagation private env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 LC_ALL=C.UTF-8 mmdebstrap --variant=minbase --arch=amd64 --components=main --include=ca-certificates')));
  assert.ok(lines.some((l) => l.startsWith('sh -c "$OB_IMPORT" sh /var/tmp/ownbase-owned-bookworm-slim-12/rootfs owned/bookworm-slim:12 --change \'CMD ["/bin/bash"]\'')));
  assert.equal(spawnSync('sh', ['-n'], { input: r.out }).status, 0);
});

test('recipe errors: diagnostics printed, exit 1; an unreadable recipe or bad options: exit 2; never a stack trace', async () => {
  const dir = recipe('image: owned/x:1\ndistro: debian\nsuite: bookworm\npackages: ["curl; rm -rf /"]\n');
  for (const cmd of ['script', 'build']) {
    const bad = await cli([cmd, 'r.ownbase.yaml'], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^r\.ownbase\.yaml:4:\d+: error OB2\d\d /m);
    assert.doesNotMatch(bad.err, /\n\s+at /);
  }
  const missing = await cli(['build', 'nope.ownbase.yaml'], dir);
  assert.deepEqual([missing.code, missing.err], [2, 'ownbase: cannot read nope.ownbase.yaml: no such file\n']);
  for (const args of [['build'], ['build', 'a.yaml', '--builder', 'kaniko'], ['build', 'a.yaml', '--frobnicate'], ['build', 'a.yaml', 'b.yaml'], ['script', 'a.yaml', '--output', 'x.tar'],
    ['build', 'a.yaml', '--keep-rootfs', '/a', '--from-rootfs', '/b']]) {
    const r = await cli(args, dir);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /^ownbase (build|script): /);
  }
});

test('without root, build says why it needs root and exits 1 before doing anything', () => {
  const args = [join(ROOT, 'dist/cli.js'), 'build', 'examples/bookworm-slim.ownbase.yaml'];
  const r = process.getuid?.() === 0
    ? spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8' })
    : spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'ownbase build needs root: debootstrap and mmdebstrap create device nodes and files owned by other users, '
    + 'chroot needs CAP_SYS_CHROOT and the bind mounts of /dev, /run and /proc need CAP_SYS_ADMIN. Run it with sudo (sudo ownbase build …).\n');
});
