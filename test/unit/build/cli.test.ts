import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseBuildArgs } from '../../../src/cli/build';
import { runCli } from '../../../src/cli/run';
import { parseBuildEvent } from '../../../src/core/run/events';

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

test('ownbase script refuses a runtime recipe, whose image no base-build script makes, and says what builds it', async () => {
  const dir = recipe('image: x/hello:1\ndistro: debian\nsuite: bookworm\nprofile: runtime\npackages: [libc6]\nruntime:\n  binaries:\n    - path: ./hello\n');
  const r = await cli(['script', 'r.ownbase.yaml'], dir);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.equal(r.err, 'r.ownbase.yaml: a runtime recipe has no script: its image holds only the files its binaries need, which ownbase build stages from the root it bootstraps (run ownbase build r.ownbase.yaml)\n');
});

test('ownbase script prints the plan as a script that sh accepts', async () => {
  const r = await cli(['script', 'examples/bookworm-slim.ownbase.yaml', '--workdir', '/var/tmp', '--no-cache']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[0], '#!/bin/sh');
  assert.equal(lines[1], '# Builds owned/bookworm-slim:12 (debian bookworm amd64, mmdebstrap) from examples/bookworm-slim.ownbase.yaml.');
  assert.ok(lines.includes('mkdir -p -- /var/tmp/ownbase-owned-bookworm-slim-12/rootfs'));
  assert.ok(lines.some((l) => l.startsWith('unshare --mount --propagation private env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 LC_ALL=C.UTF-8 mmdebstrap --variant=minbase --arch=amd64 --components=main --include=ca-certificates')));
  assert.ok(lines.some((l) => l.startsWith('sh -c "$OB_IMPORT" sh /var/tmp/ownbase-owned-bookworm-slim-12/rootfs owned/bookworm-slim:12 /var/tmp/ownbase-owned-bookworm-slim-12/rootfs.updates-applied --change \'CMD ["/bin/bash"]\'')));
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
  assert.equal(r.stderr, 'ownbase: build needs root: debootstrap and mmdebstrap create device nodes and files owned by other users, '
    + 'chroot needs CAP_SYS_CHROOT and the bind mounts of /dev, /run and /proc need CAP_SYS_ADMIN. Run it with sudo (sudo ownbase build …).\n');
});

test('with --progress json the same refusal is one error event on stdout, and nothing on stderr', () => {
  const args = [join(ROOT, 'dist/cli.js'), 'build', 'examples/bookworm-slim.ownbase.yaml', '--progress', 'json'];
  const r = process.getuid?.() === 0
    ? spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8' })
    : spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.split('\n');
  assert.deepEqual(lines.slice(1), ['']);
  const e = parseBuildEvent(lines[0]!);
  assert.equal(e?.type === 'error' && `${e.code}: ${e.message.slice(0, 29)}`, 'host: build needs root: debootstrap');
});

test('build options through parseArgs: --flag value and --flag=value, every option kept, clear usage errors', () => {
  assert.deepEqual(parseBuildArgs(['r.yaml', '--tag', 'x/y:1', '--builder=debootstrap', '--output', 'o.tar', '--workdir=/w', '--cache-dir', '/c', '--no-cache', '--progress=json']), {
    recipe: 'r.yaml', tag: 'x/y:1', builder: 'debootstrap', output: 'o.tar', workdir: '/w', cacheDir: '/c', noCache: true, progress: 'json',
  });
  assert.deepEqual(parseBuildArgs(['--keep-rootfs=/k', '-']), { recipe: '-', keepRootfs: '/k', noCache: false });
  assert.deepEqual(parseBuildArgs(['r', '--from-rootfs', '/f', '--tag', '--weird-but-a-value']), { recipe: 'r', fromRootfs: '/f', tag: '--weird-but-a-value', noCache: false });
  assert.deepEqual(parseBuildArgs(['--', '--r.yaml']), { recipe: '--r.yaml', noCache: false });
  const usage = (args: string[], allowed?: ReadonlySet<string>): string => {
    try { parseBuildArgs(args, allowed); } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; }
    return 'accepted';
  };
  assert.equal(usage(['r', '--tag']), 'UsageError: --tag needs a value');
  assert.equal(usage(['r', '--tag=']), 'UsageError: --tag needs a value');
  assert.equal(usage(['r', '--frobnicate']), "UsageError: unknown option '--frobnicate'");
  assert.equal(usage(['r', '--frob=1']), "UsageError: unknown option '--frob=1'");
  assert.equal(usage(['r', '-t', 'x']), "UsageError: unknown option '-t'");
  assert.equal(usage(['r', '--no-cache=yes']), 'UsageError: --no-cache takes no value');
  assert.deepEqual(parseBuildArgs(['r', '--no-checks']), { recipe: 'r', noCache: false, noChecks: true });
  assert.equal(usage(['r', '--no-checks'], new Set(['--no-cache'])), "UsageError: unknown option '--no-checks'", 'script has no checks to skip');
  assert.equal(usage(['r', '--builder', 'kaniko']), "UsageError: --builder must be debootstrap or mmdebstrap, not 'kaniko'");
  assert.equal(usage(['r', '--progress', 'xml']), "UsageError: --progress must be text or json, not 'xml'");
  assert.equal(usage(['a', 'b']), "UsageError: one recipe at a time ('a', then 'b')");
  assert.equal(usage([]), 'UsageError: which recipe? e.g. examples/bookworm-slim.ownbase.yaml');
  assert.equal(usage(['r', '--out', 'x.sh']), "UsageError: unknown option '--out'");
  assert.equal(usage(['r', '--out=x.sh'], new Set(['--out'])), 'accepted');
});

test('--progress json: a usage error or an invalid recipe is an error event on stdout; the usage text stays on stderr', async () => {
  const dir = recipe('image: owned/x:1\ndistro: debian\nsuite: bookworm\npackages: ["curl; rm -rf /"]\n');
  const usage = await cli(['build', 'r.ownbase.yaml', '--progress', 'json', '--builder', 'kaniko'], dir);
  assert.equal(usage.code, 2);
  assert.deepEqual(parseBuildEvent(usage.out), { v: 1, type: 'error', code: 'usage', message: "--builder must be debootstrap or mmdebstrap, not 'kaniko'" });
  assert.match(usage.err, /^ownbase build: --builder must be debootstrap or mmdebstrap, not 'kaniko'\nusage: ownbase build RECIPE/);
  const bad = await cli(['build', 'r.ownbase.yaml', '--progress=json'], dir);
  assert.equal(bad.code, 1);
  assert.equal(bad.err, '');
  const e = parseBuildEvent(bad.out);
  assert.equal(e?.type === 'error' && `${e.code}: ${e.message}`, 'recipe: r.ownbase.yaml is not a valid recipe');
  assert.match(e?.type === 'error' ? e.detail ?? '' : '', /^r\.ownbase\.yaml:4:\d+: error OB2\d\d /m);
  const missing = await cli(['build', 'nope.ownbase.yaml', '--progress', 'json'], dir);
  assert.equal(missing.code, 2);
  assert.deepEqual(parseBuildEvent(missing.out), { v: 1, type: 'error', code: 'recipe', message: 'cannot read nope.ownbase.yaml: no such file', detail: 'ownbase: cannot read nope.ownbase.yaml: no such file\n' });
});
