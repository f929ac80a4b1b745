// The checks of a recipe's verify: section on real images: the run's shared bookworm image (engine driver), the same
// image's filesystem as a rootfs folder (the no-engine driver), and busybox images for what a build names: NAME only
// after the checks pass, NAME-failed otherwise, no pending tag left, up to date only for an image a build named.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run';
import { buildInputs, readRecipe, type LoadedRecipe } from '../../src/cli/build';
import { runBuildChecks } from '../../src/cli/buildChecks';
import { detectBuildHost } from '../../src/core/build/host';
import { checksOf, engineTarget, failedTag, pendingTag, rootfsTarget, runChecks, type CheckReport } from '../../src/core/checks';
import { connectEngine } from '../../src/core/engine/connect';
import { importRootfs } from '../../src/core/engine/import';
import { LABEL_INPUTS_SHA256 } from '../../src/core/engine/labels';
import { parseBuildEvent, type BuildEvent, type BuildEventInit } from '../../src/core/run/events';
import type { Recipe } from '../../src/core/recipe/types';
import { busyboxRootfs } from '../unit/engine/support';
import { releaseShared, sharedBookworm } from './shared';

const ID = randomBytes(4).toString('hex');
const work = mkdtempSync(join('/dev/shm', 'ownbase-test-checks-'));
const BUSYBOX_TAG = `ownbase-test-checks-bb-${ID}:1`;
/** Every image the build tests below make is under this prefix, so `after` finds it. */
const REPO = `ownbase-test-checks-${ID}`;
let bookworm: string;

const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8' });
const imageExists = (ref: string): boolean => docker('image', 'inspect', ref).status === 0;

async function cli(args: string[], onEvent?: (e: BuildEvent) => void, signal?: AbortSignal): Promise<{ code: number; out: string; err: string; events: BuildEvent[] }> {
  let out = '';
  let err = '';
  const events: BuildEvent[] = [];
  let partial = '';
  const stdout = {
    write: (s: string) => {
      out += s;
      if (!onEvent) return;
      const parts = (partial + s).split('\n');
      partial = parts.pop()!;
      for (const l of parts) { const e = parseBuildEvent(l); if (e) { events.push(e); onEvent(e); } }
    },
  };
  const code = await runCli(args, { cwd: work, stdout, stderr: { write: (s: string) => (err += s) }, ...(signal && { signal }) });
  if (!onEvent) events.push(...out.split('\n').map((l) => parseBuildEvent(l)).filter((e): e is BuildEvent => e !== undefined));
  return { code, out, err, events };
}

/** `repo:tag` of every image in the engine whose repository is `repo`, sorted. */
function imagesOf(repo: string): string[] {
  return docker('images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${repo}`).stdout.split('\n').filter(Boolean).sort();
}
const idOf = (ref: string): string => docker('image', 'inspect', '--format', '{{.Id}}', ref).stdout.trim();

before(async () => {
  bookworm = await sharedBookworm();
}, { timeout: 20 * 60_000 });

after(() => {
  for (const ref of [BUSYBOX_TAG, `${BUSYBOX_TAG}-failed`]) docker('image', 'rm', '-f', ref);
  const ours = imagesOf(`${REPO}/*`);
  if (ours.length > 0) docker('image', 'rm', '-f', ...ours);
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

test('a failed check keeps the pending image as TAG-failed, never as TAG (busybox: no apt, no dpkg status)', async () => {
  const root = busyboxRootfs(join(work, 'busybox'));
  const pending = pendingTag(BUSYBOX_TAG);
  assert.match(pending, new RegExp(`^${BUSYBOX_TAG}-ownbase-pending-[0-9a-f]{16}$`));
  await importRootfs(connectEngine(), { rootfs: root, tag: pending, arch: 'amd64', config: {}, labels: {} });
  const events: BuildEventInit[] = [];
  const recipe: Recipe = { image: BUSYBOX_TAG, distro: 'debian', suite: 'bookworm', verify: { builtins: { loader: false, setuid: false } } };
  const outcome = await runBuildChecks(recipe, undefined, { image: pending, tag: BUSYBOX_TAG }, (e) => events.push(e));
  assert.equal(outcome, 'failed');
  assert.deepEqual(events.map((e) => (e.type === 'check' ? `${e.id} ${e.status}` : e.type)), ['builtins.apt failed', 'builtins.scanners failed', 'error']);
  const last = events.at(-1)!;
  assert.ok(last.type === 'error' && last.code === 'checks');
  assert.equal(last.message, `2 of 2 checks failed: the image is kept as ${BUSYBOX_TAG}-failed, not as ${BUSYBOX_TAG} (left as it was)`);
  assert.ok(imageExists(`${BUSYBOX_TAG}-failed`));
  assert.ok(!imageExists(BUSYBOX_TAG));
  assert.ok(!imageExists(pending));
});

const busyboxRecipe = (name: string, command: string): string =>
  `image: ${name}\ndistro: debian\nsuite: bookworm\narch: amd64\nconfig:\n  cmd: ["/bin/sh"]\nverify:\n` +
  `  builtins: { apt: false, loader: false, setuid: false, scanners: false }\n  commands:\n    - argv: [/bin/sh, -c, '${command}']\n`;

test('build: a failed check never takes NAME from the last good image; -failed replaces the last failure; cancel leaves nothing', async () => {
  const name = `${REPO}/bb:1`;
  const root = busyboxRootfs(join(work, 'bb-rootfs'));
  mkdirSync(join(work, 'bb-work'));
  writeFileSync(join(work, 'good.ownbase.yaml'), busyboxRecipe(name, 'test -x /bin/busybox'));
  writeFileSync(join(work, 'bad.ownbase.yaml'), busyboxRecipe(name, 'echo broken; exit 4'));
  const build = (recipe: string, onEvent?: (e: BuildEvent) => void, signal?: AbortSignal) =>
    cli(['build', recipe, '--from-rootfs', root, '--workdir', 'bb-work', '--progress', 'json'], onEvent ?? (() => undefined), signal);

  const good = await build('good.ownbase.yaml');
  assert.equal(good.code, 0, good.out + good.err);
  const result = good.events.find((e) => e.type === 'result');
  assert.ok(result?.type === 'result');
  assert.equal(result.tag, name, 'the result names the final tag, not the pending one');
  assert.equal(result.id, idOf(name));
  assert.deepEqual(imagesOf(`${REPO}/*`), [name]);
  const goodId = idOf(name);

  const bad = await build('bad.ownbase.yaml');
  assert.equal(bad.code, 1);
  assert.deepEqual(bad.events.filter((e) => e.type === 'check').map((e) => e.type === 'check' && `${e.id} ${e.status}`), ['commands[0] failed']);
  const last = bad.events.at(-1)!;
  assert.ok(last.type === 'error' && last.code === 'checks');
  assert.equal(last.message, `1 of 1 checks failed: the image is kept as ${name}-failed, not as ${name} (left as it was)`);
  assert.equal(idOf(name), goodId, 'NAME still names the good image');
  const failedId = idOf(failedTag(name));
  assert.match(failedId, /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(failedId, goodId);
  assert.deepEqual(imagesOf(`${REPO}/*`), [name, `${name}-failed`], 'no pending tag left');

  const again = await build('bad.ownbase.yaml');
  assert.equal(again.code, 1);
  assert.equal(idOf(name), goodId);
  assert.notEqual(idOf(failedTag(name)), failedId);
  assert.equal(docker('image', 'inspect', failedId).status, 1, 'the earlier failure\'s image is gone with its tag');
  assert.deepEqual(imagesOf(`${REPO}/*`), [name, `${name}-failed`]);

  // Cancelled once the image is imported, before its checks: nothing new is left, under any name.
  const images = docker('images', '-q', '--no-trunc').stdout.split('\n').filter(Boolean).sort();
  const stop = new AbortController();
  const cancelled = await build('good.ownbase.yaml', (e) => { if (e.type === 'step-end' && e.id === 'import') stop.abort(); }, stop.signal);
  assert.equal(cancelled.code, 130, cancelled.out + cancelled.err);
  const end = cancelled.events.at(-1);
  assert.ok(end?.type === 'error' && end.code === 'cancelled', JSON.stringify(end));
  assert.deepEqual(imagesOf(`${REPO}/*`), [name, `${name}-failed`]);
  assert.equal(idOf(name), goodId);
  assert.deepEqual(docker('images', '-q', '--no-trunc').stdout.split('\n').filter(Boolean).sort(), images, 'no image left behind');
});

test('up to date only for an image a build named: never a -failed or pending one; --sbom is written then too', async () => {
  const name = `${REPO}/bookworm:1`;
  writeFileSync(join(work, 'uptodate.ownbase.yaml'), `image: ${name}\ndistro: debian\nsuite: bookworm\narch: amd64\n`);
  const loaded = readRecipe('uptodate.ownbase.yaml', { cwd: work, stdout: { write: () => true }, stderr: { write: () => true } }) as LoadedRecipe;
  const inputs = buildInputs(loaded, detectBuildHost(), undefined);
  // The image a failed build leaves: the recipe's inputs, under NAME-failed; a pending tag on it as well.
  const pending = pendingTag(name);
  await importRootfs(connectEngine(), { rootfs: busyboxRootfs(join(work, 'uptodate-rootfs')), tag: failedTag(name), arch: 'amd64', config: {}, labels: { [LABEL_INPUTS_SHA256]: inputs } });
  assert.equal(docker('tag', failedTag(name), pending).status, 0);
  mkdirSync(join(work, 'uptodate-work'));
  const args = ['build', 'uptodate.ownbase.yaml', '--workdir', 'uptodate-work', '--cache-dir', 'uptodate-cache', '--progress', 'json', '--sbom', 'out.spdx.json'];
  // Not up to date: it plans a build (stopped there: the build itself is not what this test is about).
  const stop = new AbortController();
  const rebuilt = await cli(args, (e) => { if (e.type === 'plan') stop.abort(); }, stop.signal);
  assert.equal(rebuilt.code, 130, rebuilt.out + rebuilt.err);
  assert.equal(rebuilt.events[0]?.type, 'plan', rebuilt.out);
  assert.ok(!imageExists(name));
  assert.ok(!existsSync(join(work, 'out.spdx.json')));
  // The same image under a name a build gave it (another recipe's, say): up to date, named NAME, its SBOM written.
  assert.equal(docker('tag', failedTag(name), `${REPO}/other:1`).status, 0);
  const same = await cli(args);
  assert.equal(same.code, 0, same.out + same.err);
  assert.deepEqual(same.events.map((e) => e.type), ['note', 'result', 'note']);
  const note = same.events[0]!;
  assert.ok(note.type === 'note' && note.text.startsWith(`up to date: ${idOf(failedTag(name))} has the same inputs; named it ${name}`), note.type === 'note' ? note.text : '');
  assert.equal(idOf(name), idOf(failedTag(name)));
  const sbom = JSON.parse(readFileSync(join(work, 'out.spdx.json'), 'utf8')) as { spdxVersion: string; name: string };
  assert.equal(sbom.spdxVersion, 'SPDX-2.3');
  const written = same.events[2]!;
  assert.ok(written.type === 'note' && written.text === `SBOM (spdx-json) written to ${join(work, 'out.spdx.json')}`);
});

test('slow: a removal that breaks apt fails the build, again when rebuilt unchanged; the fixed recipe builds', { skip: process.env['OWNBASE_SLOW_TESTS'] !== '1' && 'OWNBASE_SLOW_TESTS=1' }, async () => {
  const tag = `${REPO}/broken:1`;
  const example = readFileSync(join(__dirname, '../../../examples/bookworm-slim.ownbase.yaml'), 'utf8');
  const recipe = join(work, 'broken.ownbase.yaml');
  writeFileSync(recipe, `${example}remove: [/usr/lib/x86_64-linux-gnu/libxxhash.so*]\n`);
  const build = (...extra: string[]) => cli(['build', recipe, ...extra, '--tag', tag, '--progress', 'json', '--cache-dir', '/var/cache/ownbase-it/shared']);
  const r = await build('--force');
  assert.equal(r.code, 1, r.err);
  assert.deepEqual(r.events.filter((e) => e.type === 'check' && e.status === 'failed').map((e) => e.type === 'check' && e.id), ['builtins.apt', 'builtins.loader']);
  const end = r.events.at(-1);
  assert.ok(end?.type === 'error' && end.code === 'checks');
  assert.deepEqual(imagesOf(`${REPO}/broken`), [`${tag}-failed`]);
  // Unchanged, without --force: the image of the same inputs failed its checks, so it is built and checked again.
  const again = await build();
  assert.equal(again.code, 1, again.err);
  assert.ok(again.events.some((e) => e.type === 'plan'), 'not up to date');
  assert.ok(!again.events.some((e) => e.type === 'note' && e.text.startsWith('up to date')));
  const againEnd = again.events.at(-1);
  assert.ok(againEnd?.type === 'error' && againEnd.code === 'checks');
  assert.deepEqual(imagesOf(`${REPO}/broken`), [`${tag}-failed`]);
  // Fixed: it builds, and NAME is the new image.
  writeFileSync(recipe, `${example}# fixed: libxxhash stays\n`);
  const fixed = await build();
  assert.equal(fixed.code, 0, fixed.out + fixed.err);
  const result = fixed.events.find((e) => e.type === 'result');
  assert.ok(result?.type === 'result' && result.upToDate !== true && result.id === idOf(tag));
  assert.deepEqual(imagesOf(`${REPO}/broken`), [tag, `${tag}-failed`]);
});
