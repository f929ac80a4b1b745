// The checks of a recipe's verify: section on real images: the run's shared bookworm image (engine driver), the same
// image's filesystem as a rootfs folder (the no-engine driver), and a busybox image for the -failed tagging.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run';
import { runBuildChecks } from '../../src/cli/buildChecks';
import { checksOf, engineTarget, rootfsTarget, runChecks, type CheckReport } from '../../src/core/checks';
import { connectEngine } from '../../src/core/engine/connect';
import { importRootfs } from '../../src/core/engine/import';
import type { BuildEventInit } from '../../src/core/run/events';
import type { Recipe } from '../../src/core/recipe/types';
import { busyboxRootfs } from '../unit/engine/support';
import { releaseShared, sharedBookworm } from './shared';

const ID = randomBytes(4).toString('hex');
const work = mkdtempSync(join('/dev/shm', 'ownbase-test-checks-'));
const BUSYBOX_TAG = `ownbase-test-checks-bb-${ID}:1`;
let bookworm: string;

const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8' });
const imageExists = (ref: string): boolean => docker('image', 'inspect', ref).status === 0;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { cwd: work, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

before(async () => {
  bookworm = await sharedBookworm();
}, { timeout: 20 * 60_000 });

after(() => {
  for (const ref of [BUSYBOX_TAG, `${BUSYBOX_TAG}-failed`]) docker('image', 'rm', '-f', ref);
  rmSync(work, { recursive: true, force: true });
  releaseShared();
});

const VERIFY = `verify:
  commands:
    - name: apt runs
      argv: [apt-get, --version]
      stdout: ['^apt 2\\.']
      stderrExcludes: ['.']
    - argv: [sh, -c, 'id -u; exit 3']
      exitCode: 3
      stdout: ['^0$']
  files:
    - path: /etc/ssl/certs/ca-certificates.crt
      mode: "0644"
      owner: root:root
      contents: ['BEGIN CERTIFICATE']
    - path: /usr/bin/apt-get
      executableBy: nobody
    - path: /usr/share/man/*/*
      exists: false
  metadata:
    cmd: ["/bin/bash"]
    env: { LANG: C.UTF-8 }
    user: ""
  size:
    max: 200MB
`;

const recipeText = (image: string, verify = VERIFY): string =>
  `image: ${image}\ndistro: debian\nsuite: bookworm\nvariant: minbase\nconfig:\n  cmd: ["/bin/bash"]\n  env: { LANG: C.UTF-8 }\n${verify}`;

test('ownbase test: the bookworm example with a verify: section passes; JUnit and JSON say so', async () => {
  writeFileSync(join(work, 'pass.ownbase.yaml'), recipeText(bookworm));
  const r = await cli(['test', 'pass.ownbase.yaml', '--format', 'json']);
  const report = JSON.parse(r.out) as { results: { id: string; status: string; line?: number; message: string }[] };
  assert.equal(r.code, 0, r.out + r.err);
  assert.deepEqual(report.results.map((x) => [x.id, x.status]), [
    ['builtins.apt', 'passed'], ['builtins.loader', 'passed'], ['builtins.setuid', 'passed'], ['builtins.scanners', 'passed'],
    ['commands[0]', 'passed'], ['commands[1]', 'passed'], ['files[0]', 'passed'], ['files[1]', 'passed'], ['files[2]', 'passed'],
    ['metadata.cmd', 'passed'], ['metadata.env', 'passed'], ['metadata.user', 'passed'], ['size.max', 'passed'],
  ]);
  assert.equal(report.results.find((x) => x.id === 'commands[0]')!.line, 10);
  const junit = await cli(['test', 'pass.ownbase.yaml', '--format', 'junit', '--output', 'junit.xml']);
  assert.equal(junit.code, 0);
  assert.match(readFileSync(join(work, 'junit.xml'), 'utf8'), /<testsuite name="[^"]+" tests="13" failures="0" skipped="0"/);
  assert.match(junit.out, /^13 passed, 0 failed, 0 skipped in /m, 'with --output, the text summary on stdout');
});

test('a command with a wrong expected output fails, exit 1, with the expected pattern and both outputs in the message', async () => {
  writeFileSync(join(work, 'wrong.ownbase.yaml'), recipeText(bookworm, `verify:
  builtins: { apt: false, loader: false, setuid: false, scanners: false }
  commands:
    - argv: [sh, -c, 'cat /etc/debian_version; echo to-stderr >&2']
      stdout: ['^11\\.']
`));
  const r = await cli(['test', 'wrong.ownbase.yaml']);
  assert.equal(r.code, 1);
  const version = docker('run', '--rm', '--network', 'none', '--entrypoint', 'cat', bookworm, '/etc/debian_version').stdout.trim();
  assert.match(version, /^12\.\d+$/);
  assert.ok(r.out.includes(`  FAIL command: sh -c cat /etc/debian_version; echo to-stderr >&2 (line 11)\n` +
    `       sh -c cat /etc/debian_version; echo to-stderr >&2: stdout does not match /^11\\./.\n` +
    `       stdout:\n       ${version}\n       \n       stderr:\n       to-stderr\n`), r.out);
  assert.match(r.out, /^0 passed, 1 failed, 0 skipped in /m);
});

test('the no-engine driver (unshare + chroot) gives the engine driver\'s results on the same filesystem', async () => {
  const root = join(work, 'rootfs');
  mkdirSync(root);
  const id = docker('create', bookworm).stdout.trim();
  try {
    const exp = spawnSync('sh', ['-c', 'docker export "$1" | tar -x -C "$2"', 'sh', id, root]);
    assert.equal(exp.status, 0, String(exp.stderr));
  } finally { docker('rm', '-f', id); }
  const recipe = { verify: {
    commands: [{ argv: ['sh', '-c', 'echo $LANG; id -un'], stdout: ['^C\\.UTF-8$', '^root$'] }, { argv: ['id', '-un'], user: 'nobody', stdout: ['^nobody$'] },
      { argv: ['false'] }],
    files: [{ path: '/usr/bin/apt*', executableBy: 'nobody' }, { path: '/etc/shadow', mode: '0640', owner: 'root:shadow' }, { path: '/usr/share/doc/*', exists: false }],
    size: { max: '1MB' },
  } } satisfies Pick<Recipe, 'verify'>;
  const checks = checksOf(recipe);
  const engine = await engineTarget(bookworm);
  let viaEngine: CheckReport;
  try { viaEngine = await runChecks(checks, engine); } finally { await engine.close(); }
  const viaRootfs = await runChecks(checks, rootfsTarget(root, { env: { LANG: 'C.UTF-8' } }));
  const summary = (r: CheckReport) => r.results.map((x) => [x.id, x.status, x.kind === 'size' ? '' : x.message]);
  assert.deepEqual(summary(viaRootfs), summary(viaEngine));
  assert.deepEqual(viaEngine.results.map((x) => x.status), ['passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'failed', 'passed', 'passed', 'failed', 'failed']);
});

test('a failed check keeps the image as TAG-failed and takes TAG off it (busybox: no apt, no dpkg status)', async () => {
  const root = busyboxRootfs(join(work, 'busybox'));
  await importRootfs(connectEngine(), { rootfs: root, tag: BUSYBOX_TAG, arch: 'amd64', config: {}, labels: {} });
  const events: BuildEventInit[] = [];
  const recipe: Recipe = { image: BUSYBOX_TAG, distro: 'debian', suite: 'bookworm', verify: { builtins: { loader: false, setuid: false } } };
  const ok = await runBuildChecks(recipe, undefined, { image: BUSYBOX_TAG }, (e) => events.push(e));
  assert.equal(ok, false);
  assert.deepEqual(events.map((e) => (e.type === 'check' ? `${e.id} ${e.status}` : e.type)), ['builtins.apt failed', 'builtins.scanners failed', 'error']);
  const last = events.at(-1)!;
  assert.ok(last.type === 'error' && last.code === 'checks');
  assert.equal(last.message, `2 of 2 checks failed: the image is kept as ${BUSYBOX_TAG}-failed, not as ${BUSYBOX_TAG}`);
  assert.ok(imageExists(`${BUSYBOX_TAG}-failed`));
  assert.ok(!imageExists(BUSYBOX_TAG));
});

test('slow: a removal that breaks apt fails the build; the image exists only as -failed', { skip: process.env['OWNBASE_SLOW_TESTS'] !== '1' && 'OWNBASE_SLOW_TESTS=1' }, async () => {
  const tag = `ownbase-test-checks-broken-${ID}:1`;
  const recipe = join(work, 'broken.ownbase.yaml');
  writeFileSync(recipe, readFileSync(join(__dirname, '../../../examples/bookworm-slim.ownbase.yaml'), 'utf8') +
    'remove: [/usr/lib/x86_64-linux-gnu/libxxhash.so*]\n');
  try {
    const r = await cli(['build', recipe, '--force', '--tag', tag, '--progress', 'json', '--cache-dir', '/var/cache/ownbase-it/shared']);
    assert.equal(r.code, 1, r.err);
    const events = r.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; id?: string; status?: string; code?: string });
    assert.deepEqual(events.filter((e) => e.type === 'check' && e.status === 'failed').map((e) => e.id), ['builtins.apt', 'builtins.loader']);
    assert.equal(events.at(-1)!.code, 'checks');
    assert.ok(imageExists(`${tag}-failed`) && !imageExists(tag));
  } finally {
    docker('image', 'rm', '-f', tag, `${tag}-failed`);
  }
});
