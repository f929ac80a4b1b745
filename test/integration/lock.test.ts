// Reproducible, incremental and locked builds against the real engine, as root. Always on (seconds): the same
// rootfs imported twice, a file touched in between, gives the same image ID (SOURCE_DATE_EPOCH clamps mtimes and
// fixes `created`); a rebuild of unchanged inputs is "up to date" and runs nothing; a lock whose SHA-256 does not
// match the cached .deb stops the build before anything installs, naming the package; outdated reports an old locked
// version against the archive (its Packages indices, over the network); a change of one env value rebuilds from the
// rootfs cache (one warm build, one from the cache). With OWNBASE_SLOW_TESTS=1:
// the bookworm example built twice (--force, warm package cache) gives the same image ID and layer digest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatLock } from '../../src/core/build/lock';
import { parseBuildEvent, type BuildEvent, type ResultEvent } from '../../src/core/run/events';
import { busyboxRootfs } from '../unit/engine/support';
import { releaseShared, sharedBookworm } from './shared';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}
const CLI = join(repoRoot(), 'dist/cli.js');
const BOOKWORM = join(repoRoot(), 'examples/bookworm-slim.ownbase.yaml');
const IS_ROOT = process.getuid?.() === 0;
const ENGINE = IS_ROOT && spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
const SLOW = process.env['OWNBASE_SLOW_TESTS'] === '1';
const REPO = `ownbase-test-lock-${process.pid}`;
const EPOCH = 1_700_000_000;
const skip = ENGINE ? false : 'needs root and a running Docker engine';

let dir = '';

before(() => {
  if (!ENGINE) return;
  dir = mkdtempSync('/var/tmp/ownbase-test-lock-');
  busyboxRootfs(join(dir, 'rootfs'));
  writeFileSync(join(dir, 'rootfs.source-date-epoch'), `${EPOCH}\n`);
  mkdirSync(join(dir, 'work'));
  writeFileSync(join(dir, 'busybox.ownbase.yaml'), `image: ${REPO}/busybox:1\ndistro: debian\nsuite: bookworm\narch: amd64\nconfig:\n  cmd: ["/bin/sh"]\n`);
});

after(() => {
  if (ENGINE) {
    const ls = spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${REPO}/*`], { encoding: 'utf8' });
    const refs = (ls.stdout ?? '').split('\n').filter(Boolean);
    if (refs.length) spawnSync('docker', ['rmi', '--force', ...refs], { stdio: 'ignore' });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  releaseShared();
});

function cli(args: string[], timeout = 120_000): { status: number | null; events: BuildEvent[]; stdout: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--progress', 'json'], { cwd: dir, encoding: 'utf8', timeout });
  const events = r.stdout.split('\n').map((l) => parseBuildEvent(l)).filter((e): e is BuildEvent => e !== undefined);
  return { status: r.status, events, stdout: `${r.stdout}\n${r.stderr}` };
}
const resultOf = (events: readonly BuildEvent[]): ResultEvent => {
  const r = events.find((e): e is ResultEvent => e.type === 'result');
  assert.ok(r, 'no result event');
  return r;
};
const inspect = (ref: string): { Id: string; Created: string; RootFS: { Layers: string[] }; Config: { Labels: Record<string, string> | null } } =>
  JSON.parse(spawnSync('docker', ['image', 'inspect', ref], { encoding: 'utf8' }).stdout)[0];

test('the same rootfs imported twice, a file touched in between, gives the same image ID; created is SOURCE_DATE_EPOCH', { skip }, () => {
  // --no-checks: a busybox rootfs has no apt and no os-release; the checks are checks.test.ts's.
  const first = cli(['build', 'busybox.ownbase.yaml', '--from-rootfs', 'rootfs', '--workdir', 'work', '--no-checks', '--tag', `${REPO}/busybox:a`]);
  assert.equal(first.status, 0, first.stdout);
  utimesSync(join(dir, 'rootfs/etc/passwd'), new Date(), new Date());
  const second = cli(['build', 'busybox.ownbase.yaml', '--from-rootfs', 'rootfs', '--workdir', 'work', '--no-checks', '--tag', `${REPO}/busybox:b`]);
  assert.equal(second.status, 0, second.stdout);
  const a = inspect(`${REPO}/busybox:a`);
  const b = inspect(`${REPO}/busybox:b`);
  assert.equal(b.Id, a.Id);
  assert.deepEqual(b.RootFS.Layers, a.RootFS.Layers);
  assert.equal(a.Created, '2023-11-14T22:13:20Z');
  assert.equal(resultOf(second.events).id, a.Id);
});

test('unchanged inputs are up to date: nothing runs, the name moves onto the image; --force would build', { skip }, async () => {
  // The run's shared image of the bookworm example carries that recipe's inputs label (a --from-rootfs image
  // carries none: it is made of a folder, not of the recipe's inputs).
  const shared = await sharedBookworm();
  const label = (ref: string): string | undefined =>
    JSON.parse(spawnSync('docker', ['image', 'inspect', ref], { encoding: 'utf8' }).stdout)[0].Config.Labels?.['dev.ownbase.inputs.sha256'];
  const inputs = label(shared);
  assert.match(inputs ?? '', /^[0-9a-f]{64}$/);
  const r = cli(['build', BOOKWORM, '--workdir', 'work', '--tag', `${REPO}/bookworm:c`]);
  assert.equal(r.status, 0, r.stdout);
  assert.deepEqual(r.events.map((e) => e.type), ['note', 'result'], 'no plan, no step');
  const note = r.events[0]!;
  assert.ok(note.type === 'note' && /^up to date: sha256:[0-9a-f]{64} has the same inputs; named it ownbase-test-lock-\d+\/bookworm:c/.test(note.text), JSON.stringify(note));
  const res = resultOf(r.events);
  assert.equal(res.upToDate, true);
  assert.equal(res.inputsSha256, inputs);
  assert.equal(inspect(`${REPO}/bookworm:c`).Id, res.id);
  assert.equal(label(`${REPO}/bookworm:c`), inputs);
  const again = cli(['build', BOOKWORM, '--workdir', 'work', '--tag', `${REPO}/bookworm:c`]);
  assert.match(again.events[0]!.type === 'note' ? again.events[0]!.text : '', /^up to date: ownbase-test-lock-\d+\/bookworm:c has the same inputs/);
  // A --from-rootfs image has no inputs label: it can never pass for a build of its recipe.
  assert.equal(label(`${REPO}/busybox:a`), undefined);
});

test('a change of one env value rebuilds from the rootfs cache: the same layer, another config, another image ID', { skip, timeout: 900_000 }, async () => {
  // The run's shared bookworm build kept its rootfs in the shared cache: the first build here restores it unless the
  // archive published since (then it bootstraps, warm, and keeps the new rootfs); the second starts from the cache.
  await sharedBookworm();
  const cache = '/var/cache/ownbase-it/shared';
  const text = readFileSync(BOOKWORM, 'utf8');
  assert.match(text, /^ {2}env: \{ LANG: C\.UTF-8 \}$/m);
  const build = (v: string): { v: string; id: string; layers: string[]; env: string[]; events: BuildEvent[] } => {
    writeFileSync(join(dir, `env-${v}.ownbase.yaml`), text.replace(/^ {2}env: \{ LANG: C\.UTF-8 \}$/m, `  env: { LANG: C.UTF-8, OWNBASE_T: ${v} }`));
    const r = cli(['build', `env-${v}.ownbase.yaml`, '--force', '--no-checks', '--cache-dir', cache, '--tag', `${REPO}/bookworm:env-${v}`], 850_000);
    assert.equal(r.status, 0, r.stdout.slice(-3000));
    const image = JSON.parse(spawnSync('docker', ['image', 'inspect', `${REPO}/bookworm:env-${v}`], { encoding: 'utf8' }).stdout)[0];
    return { v, id: image.Id, layers: image.RootFS.Layers, env: image.Config.Env, events: r.events };
  };
  const stepsOf = (events: BuildEvent[]): string[] => { const p = events.find((e) => e.type === 'plan'); return p?.type === 'plan' ? p.steps.map((s) => s.id) : []; };
  let one = build('one');
  let two = build('two');
  // The key holds the archive's Packages indices: when the archive published into them between the two builds, the second bootstrapped
  // (and kept the new state's rootfs). Once more, then: the archive does not move twice in a few minutes.
  if (stepsOf(two.events).includes('bootstrap')) [one, two] = [two, build('three')];
  assert.deepEqual(stepsOf(two.events), ['prepare', 'rootfs-restore', 'slim', 'finalize', 'import'], 'no bootstrap, upgrade or packages');
  assert.ok(two.events.some((e) => e.type === 'note' && /^rootfs from cache \(key [0-9a-f]{64}\)/.test(e.text)), 'the log says so');
  assert.deepEqual(two.layers, one.layers, 'the same layer, byte for byte');
  assert.notEqual(two.id, one.id);
  assert.deepEqual([one.env.filter((e) => e.startsWith('OWNBASE_T=')), two.env.filter((e) => e.startsWith('OWNBASE_T='))], [[`OWNBASE_T=${one.v}`], [`OWNBASE_T=${two.v}`]]);

  // Both were built with --no-checks: they carry their inputs, but a build that runs checks does not take them for up to date.
  const ref = `${REPO}/bookworm:env-${two.v}`;
  assert.equal(inspect(ref).Config.Labels?.['dev.ownbase.checks'], 'skipped');
  const checked = cli(['build', `env-${two.v}.ownbase.yaml`, '--cache-dir', cache, '--tag', ref], 850_000);
  assert.equal(checked.status, 0, checked.stdout.slice(-3000));
  assert.ok(checked.events.some((e) => e.type === 'plan'), 'built again, with checks');
  assert.ok(checked.events.some((e) => e.type === 'check' && e.status === 'passed'), 'its checks ran');
  assert.notEqual(inspect(ref).Id, two.id);
  assert.equal(inspect(ref).Config.Labels?.['dev.ownbase.checks'], undefined);
  // A checked image is up to date for a build without checks too.
  const unchecked = cli(['build', `env-${two.v}.ownbase.yaml`, '--no-checks', '--cache-dir', cache, '--tag', ref]);
  assert.deepEqual(unchecked.events.map((e) => e.type), ['note', 'result'], 'no plan, no step');
});

test('a lock whose SHA-256 does not match the cached .deb, or whose package the archive no longer has, stops the build before anything installs, naming each', { skip }, () => {
  const cache = join(dir, 'cache');
  const c = join(cache, 'debian/bookworm/amd64');
  mkdirSync(join(c, 'pool'), { recursive: true });
  const deb = Buffer.from('not really a deb\n');
  writeFileSync(join(c, 'pool/good_1.0_all.deb'), deb);
  writeFileSync(join(c, 'pool/tampered_2.0_amd64.deb'), deb);
  const sha = createHash('sha256').update(deb).digest('hex');
  const pkg = (name: string, version: string, arch: string, sum: string) => ({ name, version, arch, source: name, filename: `pool/main/${name}_${version}_${arch}.deb`, size: deb.length, sha256: sum });
  writeFileSync(join(dir, 'busybox.ownbase.lock'), formatLock({
    version: 1, archive: { distro: 'debian', suite: 'bookworm', components: ['main'], sourceDateEpoch: EPOCH },
    packages: [pkg('good', '1.0', 'all', sha), pkg('tampered', '2.0', 'amd64', 'f'.repeat(64)), pkg('absent', '3.0', 'all', sha)],
  }));
  try {
    const r = cli(['build', 'busybox.ownbase.yaml', '--workdir', 'work', '--cache-dir', cache, '--tag', `${REPO}/busybox:locked`]);
    assert.equal(r.status, 1, r.stdout);
    assert.deepEqual(r.events.map((e) => e.type), ['error'], 'no plan, no step ran');
    const e = r.events[0]!;
    assert.ok(e.type === 'error' && e.code === 'plan');
    const lines = e.message.split('\n');
    assert.equal(lines[0], `${join(dir, 'busybox.ownbase.lock')}: the locked packages cannot all be had; nothing was installed:`);
    // The cache lacks absent 3.0: it is asked of the archive (the release's mirror, then the security archive), which never had it.
    assert.match(lines[1]!, /^ {2}absent 3\.0: not in the package cache, and the archive no longer has it \(https?:\/\/\S+\/pool\/main\/absent_3\.0_all\.deb(, https?:\/\/\S+\/pool\/main\/absent_3\.0_all\.deb)?\)$/);
    assert.equal(lines[2], `  tampered 2.0: SHA-256 ${sha}, the lock says ${'f'.repeat(64)}`, 'in the lock\'s order: by name');
    assert.equal(lines.length, 3);
    assert.equal(existsSync(join(c, 'pool/absent_3.0_all.deb')), false);
  } finally {
    rmSync(join(dir, 'busybox.ownbase.lock'), { force: true });
  }
});

test('outdated: a lock with an old version of one package reports it against the archive, exit 1', { skip }, () => {
  const pkg = (name: string, version: string) => ({ name, version, arch: 'amd64', source: name, filename: `pool/${name}.deb`, size: 1, sha256: 'a'.repeat(64) });
  writeFileSync(join(dir, 'busybox.ownbase.lock'), formatLock({
    version: 1, archive: { distro: 'debian', suite: 'bookworm', components: ['main'] },
    packages: [pkg('libssl3', '3.0.0-1'), pkg('bash', '99:1.0-1')],
  }));
  try {
    const r = spawnSync(process.execPath, [CLI, 'outdated', 'busybox.ownbase.yaml'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^1 outdated \((0|1) security updates?\) of 2 locked packages against bookworm, bookworm-updates, bookworm-security:$/);
    assert.match(lines[1]!, /^ {2}(security )?libssl3 3\.0\.0-1 -> 3\.0\.\d+-\S+ \(bookworm(-updates|-security)?\)$/);
    assert.equal(lines.length, 3, 'bash at a version from the future is not outdated');
  } finally {
    rmSync(join(dir, 'busybox.ownbase.lock'), { force: true });
  }
});

test('the bookworm example built twice (--force, warm package cache) gives the same image ID and layer digest',
  { skip: skip || (SLOW ? false : 'slow (two full builds): OWNBASE_SLOW_TESTS=1 runs it'), timeout: 1_200_000 }, () => {
    const recipe = join(repoRoot(), 'examples/bookworm-slim.ownbase.yaml');
    // The shared cache (test/integration/shared.ts): warm after the run's first bookworm build, so both builds here replay it.
    const cache = '/var/cache/ownbase-it/shared';
    const ids: string[] = [];
    for (const t of ['r1', 'r2', 'r3']) {
      // --no-rootfs-cache: each a full build (the rootfs cache would replay the first).
      const r = cli(['build', recipe, '--force', '--no-rootfs-cache', '--cache-dir', cache, '--tag', `${REPO}/bookworm:${t}`], 900_000);
      assert.equal(r.status, 0, r.stdout.slice(-3000));
      ids.push(inspect(`${REPO}/bookworm:${t}`).Id);
    }
    // The first may have filled the cache (its rootfs may differ in what the download left; the later two are seeded alike).
    assert.equal(ids[2], ids[1]);
    assert.deepEqual(inspect(`${REPO}/bookworm:r3`).RootFS.Layers, inspect(`${REPO}/bookworm:r2`).RootFS.Layers);
  });
