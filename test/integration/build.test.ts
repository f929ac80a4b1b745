// Real builds as root: mmdebstrap/debootstrap, chroot, the Docker engine. One cold bootstrap fills a
// fresh package cache; the other builds replay it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { probeCache } from '../../src/core/build/cache';
import { aptSourcesFile, hostMirror, hostSecurityMirror } from '../../src/core/build/mirror';
import { planBuild } from '../../src/core/build/plan';
import { REMOVE, SLIM_DPKG_CFG } from '../../src/core/build/scripts';
import type { Step } from '../../src/core/build/types';
import { loadRecipe } from '../../src/core/recipe';
import { mountsUnder } from '../../src/core/run/mounts';
import { runCli } from '../../src/cli/run';
import { runPlan } from '../../src/core/run/runner';
import { descendants, endProcesses } from './processes';
import { publishShared, releaseShared, sharedBookworm } from './shared';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}
const ROOT = repoRoot();
const EXAMPLE = join(ROOT, 'examples/bookworm-slim.ownbase.yaml');
const RECIPE = loadRecipe(readFileSync(EXAMPLE, 'utf8')).recipe!;
const IS_ROOT = process.getuid?.() === 0;
const skip = IS_ROOT ? false : 'needs root (debootstrap, chroot, mounts)';
const PRIVATE_SOCK = '/run/ownbase-it/docker.sock';

let base = '';
let cache = '';
let cacheRoot = '';

const sh = (file: string, args: string[], env?: NodeJS.ProcessEnv): string => execFileSync(file, args, { encoding: 'utf8', env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
const imageExists = (ref: string, env?: NodeJS.ProcessEnv): boolean => spawnSync('docker', ['image', 'inspect', ref], { env: env ?? process.env, stdio: 'ignore' }).status === 0;
const engineUp = (env?: NodeJS.ProcessEnv): boolean => spawnSync('docker', ['info'], { env: env ?? process.env, stdio: 'ignore', timeout: 10_000 }).status === 0;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Mount points under `dir` in /proc/mounts (the host's view) and in mountinfo. */
function mountsLeft(dir: string): string[] {
  const fromProcMounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '')
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
  return [...new Set([...fromProcMounts, ...mountsUnder(dir)])];
}

/** Processes whose root directory is inside `dir` (something chrooted that survived). */
function processesRootedIn(dir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try { const root = readlinkSync(`/proc/${p}/root`); if (root === dir || root.startsWith(`${dir}/`)) out.push(Number(p)); } catch { /* gone */ }
  }
  return out;
}

interface BuildRun { code: number; out: string; err: string }

/** `ownbase build` in-process; `abortWhen` sees the output so far and may cancel (Ctrl-C). */
async function build(args: string[], opts: { env?: Record<string, string>; abortWhen?: (out: string) => boolean; abortDelayMs?: number; cwd?: string } = {}): Promise<BuildRun> {
  let out = '';
  let err = '';
  const controller = new AbortController();
  let armed = false;
  const check = (): void => {
    if (!armed && opts.abortWhen?.(out)) {
      armed = true;
      setTimeout(() => controller.abort(), opts.abortDelayMs ?? 0);
    }
  };
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(opts.env ?? {})) { saved[k] = process.env[k]; process.env[k] = v; }
  try {
    const code = await runCli(['build', ...args], {
      cwd: opts.cwd ?? base, signal: controller.signal,
      stdout: { write: (s: string) => { out += s; check(); } },
      stderr: { write: (s: string) => { err += s; } },
    });
    return { code, out, err };
  } finally {
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
}

// --force: every build here must really run, though an image of the same inputs exists (an earlier test's).
const common = (): string[] => ['--workdir', base, '--cache-dir', cacheRoot, '--force'];
const started = (stepId: string) => (out: string): boolean => new RegExp(`^==> \\[\\d+/\\d+\\] ${stepId}`, 'm').test(out);

/** After a cancel or failure: nothing mounted, nothing chrooted, nothing left to delete but `base` itself. */
function assertNothingLeft(): void {
  assert.deepEqual(mountsLeft(base), []);
  assert.deepEqual(processesRootedIn(base), []);
}

before(() => {
  if (!IS_ROOT) return;
  // What these tests run is installed by .ci/run and checked by scripts/test.mjs; a hook never installs
  // packages or starts an engine it would then have to stop.
  const need = ['debootstrap', 'mmdebstrap', 'unshare', 'dockerd'].filter((p) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', p], { env: { PATH: `${process.env['PATH']}:/usr/sbin:/sbin` } }).status !== 0);
  assert.deepEqual(need, [], `missing ${need.join(', ')}: apt-get install -y debootstrap mmdebstrap util-linux docker.io`);
  assert.ok(engineUp(), 'the Docker engine does not answer: start dockerd (bash .ci/run does)');
  const tmpfs = existsSync('/dev/shm') ? '/dev/shm' : '/var/tmp';
  base = mkdtempSync(join(tmpfs, 'ownbase-it-'));
  mkdirSync('/var/cache/ownbase-it', { recursive: true });
  cacheRoot = mkdtempSync('/var/cache/ownbase-it/run-');
  cache = join(cacheRoot, 'debian/bookworm/amd64');
});

after(() => {
  if (!IS_ROOT) return;
  releaseShared();
  const tags = spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', 'ownbase-it/*'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  if (tags.length > 0) spawnSync('docker', ['rmi', '-f', ...tags], { stdio: 'ignore' });
  if (base && mountsLeft(base).length === 0) rmSync(base, { recursive: true, force: true });
  if (cacheRoot) rmSync(cacheRoot, { recursive: true, force: true });
});

test('builds the bookworm-slim example for real: cold, fills the cache, a runnable slim image', { skip, timeout: 600_000 }, async () => {
  const tag = 'ownbase-it/bookworm-slim:cold';
  const r = await build([EXAMPLE, '--tag', tag, ...common()]);
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, /^package cache: .* \(nothing cached yet\); this build fills it$/m);
  // One mmdebstrap run installs the newest of the release, its updates and security suites: no upgrade step.
  assert.match(r.out, /^==> \[2\/9\] bootstrap debian bookworm amd64 with bookworm-updates.* \(mmdebstrap\)$/m);
  assert.match(r.out, /^==> \[3\/9\] count the packages bookworm-updates/m);
  assert.doesNotMatch(r.out, /^==> \[\d+\/\d+\] upgrade/m);
  const built = /^built (\S+) in [\d.]+ s: ([\d.]+) MB \(docker images\), ([\d.]+) MB gzip-6 layer/m.exec(r.out);
  assert.ok(built, r.out);
  assert.equal(built[1], tag);

  const info = JSON.parse(sh('docker', ['image', 'inspect', tag]))[0];
  assert.equal(info.Architecture, 'amd64');
  assert.equal(info.Os, 'linux');
  assert.deepEqual(info.Config.Cmd, ['/bin/bash']);
  assert.ok(info.Config.Env.includes('LANG=C.UTF-8'));
  assert.equal(info.Config.Labels['org.opencontainers.image.base.name'], 'debian:bookworm');
  assert.equal(info.Config.Labels['dev.ownbase.recipe.path'], EXAMPLE, 'outside the working folder the path is absolute');
  assert.match(info.Config.Labels['dev.ownbase.recipe.sha256'], /^[0-9a-f]{64}$/);
  assert.equal(Number(built[2]), Number((info.Size / 1e6).toFixed(1)));
  assert.ok(Number(built[3]) < Number(built[2]) / 2, 'gzip-6 should be well under half the size');
  assert.ok(info.Size < 90e6, `slim image is ${info.Size} bytes`);

  assert.match(sh('docker', ['run', '--rm', '--network', 'none', tag, 'cat', '/etc/debian_version']), /^12\.\d+\n$/);
  const inside = sh('docker', ['run', '--rm', '--network', 'host', tag, 'sh', '-c',
    'ls /usr/share/man | wc -l; ls /var/lib/apt/lists | wc -l; ls /usr/share/doc/apt; test -e /usr/sbin/policy-rc.d || echo no-policy-rc.d; '
    + 'cat /etc/dpkg/dpkg.cfg.d/ownbase-slim; cat /etc/apt/sources.list.d/debian.sources']);
  const [head, sources] = [inside.slice(0, inside.indexOf('#')), inside.slice(inside.indexOf('#') + SLIM_DPKG_CFG.length)];
  assert.equal(head, '0\n0\ncopyright\nno-policy-rc.d\n');
  assert.equal(inside.slice(head.length, head.length + SLIM_DPKG_CFG.length), SLIM_DPKG_CFG);
  const mirror = hostMirror('debian');
  const security = hostSecurityMirror('debian');
  if (mirror !== undefined && security !== undefined) {
    assert.equal(sources, aptSourcesFile({ distro: 'debian', suite: 'bookworm', components: ['main'], mirror, updates: 'bookworm-updates', security: { suite: 'bookworm-security', mirror: security } }).text);
  } else {
    assert.match(sources, /^Types: deb\nURIs: \S+\nSuites: bookworm bookworm-updates\n/);
  }

  assert.deepEqual(readdirSync(base), [], 'the work folder is removed');
  assert.deepEqual(mountsLeft(base), []);
  assert.equal(probeCache(cacheRoot, RECIPE, 'amd64').warm, true);
  assert.ok(readdirSync(join(cache, 'pool')).some((f) => /^apt_.*_amd64\.deb$/.test(f)));  publishShared('bookworm-slim', tag); // the tests below, and other files, use it without building it again
});

test('apt-get update && apt-get install still work inside the image, and stay slim', { skip, timeout: 600_000 }, async () => {
  const out = sh('docker', ['run', '--rm', '--network', 'host', await sharedBookworm(), 'sh', '-c',
    'apt-get update >/dev/null && apt-get install -y --no-install-recommends less >/dev/null 2>&1 && less --version | head -1 && ls /usr/share/doc/less && ls /usr/share/man | wc -l']);
  assert.match(out, /^less \d+ .*\ncopyright\n0\n$/);
});

test('a --force rebuild whose archive has not moved restores the rootfs the cold build kept: the same layer, nothing installed', { skip, timeout: 600_000 }, async () => {
  let first = 'ownbase-it/bookworm-slim:cold';
  let again = 'ownbase-it/bookworm-slim:again';
  let r = await build([EXAMPLE, '--tag', again, '--no-checks', ...common()]);
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  // The key holds the archive's Packages indices: when the archive published into them since the cold build, this rebuild
  // bootstrapped (and kept the new state's rootfs). Once more, then, against it: the archive does not move twice in minutes.
  if (/^==> \[\d+\/\d+\] bootstrap /m.test(r.out)) {
    [first, again] = [again, 'ownbase-it/bookworm-slim:again-2'];
    r = await build([EXAMPLE, '--tag', again, '--no-checks', ...common()]);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  }
  assert.match(r.out, /^==> \[2\/5\] rootfs from cache \(key [0-9a-f]{16}\)$/m);
  assert.doesNotMatch(r.out, /^==> \[\d+\/\d+\] bootstrap /m);
  const layers = (ref: string): string[] => JSON.parse(sh('docker', ['image', 'inspect', ref]))[0].RootFS.Layers;
  assert.deepEqual(layers(again), layers(first), 'the first build\'s layer, byte for byte');
});

test('a warm rebuild installs from the cache, downloads nothing, gives the same packages and leaves no build traces', { skip, timeout: 600_000 }, async () => {
  const keep = join(base, 'kept-rootfs');
  const pool = readdirSync(join(cache, 'pool')).sort();
  // --no-rootfs-cache: the seeded bootstrap itself, not the rootfs the cold build kept (the test above).
  const r = await build([EXAMPLE, '--tag', 'ownbase-it/bookworm-slim:warm', '--keep-rootfs', keep, '--no-rootfs-cache', ...common()]);
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, /holds every package this recipe took last time; only what the archives changed since is downloaded/);
  assert.match(r.out, /^==> \[2\/8\] bootstrap debian bookworm amd64 with bookworm-updates.* from the package cache \(mmdebstrap\)$/m);
  assert.match(`${r.out}\n${r.err}`, new RegExp(`^ownbase: seeded \\d+ apt lists and ${pool.length} \\.debs from ${cache}$`, 'm'));
  // The archives have not moved since the cold build (minutes ago): every .deb apt picked was a seeded one.
  assert.deepEqual(readdirSync(join(cache, 'pool')).sort(), pool, 'a .deb was downloaded');
  const cold = sh('docker', ['run', '--rm', '--network', 'none', await sharedBookworm(), 'dpkg-query', '-W']);
  assert.equal(sh('chroot', [keep, 'dpkg-query', '-W']), cold);
  // debootstrap's minbase set (91) less the filesystem tools slim purges: e2fsprogs, logsave, libss2, libext2fs2.
  assert.equal(cold.split('\n').filter(Boolean).length, 87);
  assert.doesNotMatch(cold, /^e2fsprogs\t/m);
  assert.equal(readFileSync(join(keep, 'etc/apt/sources.list.d/debian.sources'), 'utf8'),
    sh('docker', ['run', '--rm', '--network', 'none', 'ownbase-it/bookworm-slim:cold', 'cat', '/etc/apt/sources.list.d/debian.sources']));
  assert.equal(existsSync(join(keep, 'etc/apt/sources.list')), false);
  assert.equal(existsSync(join(keep, 'etc/resolv.conf')), false);
  assert.equal(existsSync(join(keep, 'etc/hostname')), false);
  assert.equal(existsSync(join(keep, cache)), false, 'the file-mirror hook left the cache path');
  assert.equal(existsSync(join(keep, 'etc/dpkg/dpkg.cfg.d/ownbase-unsafe-io')), false);
  assert.equal(existsSync(join(keep, 'usr/sbin/policy-rc.d')), false);

  // The remove globs run inside the chroot: an absolute symlink in the image cannot reach the host.
  const outside = mkdtempSync('/var/tmp/ownbase-it-outside-');
  writeFileSync(join(outside, 'precious'), 'x');
  execFileSync('ln', ['-s', outside, join(keep, 'opt/escape')]);
  execFileSync('chroot', [keep, '/bin/sh', '-c', REMOVE, 'sh', '/opt/escape/*', '/opt/escape/precious']);
  assert.equal(readFileSync(join(outside, 'precious'), 'utf8'), 'x');
  rmSync(outside, { recursive: true });
  rmSync(keep, { recursive: true });
  // A kept rootfs keeps its companions beside it, for a later --from-rootfs import: the updates count and the date.
  rmSync(`${keep}.updates-applied`);
  rmSync(`${keep}.source-date-epoch`);
});

test('cancel during the bootstrap (Ctrl-C to the real CLI): no mount, no image, work folder gone', { skip, timeout: 300_000 }, async (t) => {
  const tag = 'ownbase-it/cancel:bootstrap';
  // t.signal: killed if the test times out, so the file can end (scripts/test.mjs ends what it forked).
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'build', EXAMPLE, '--tag', tag, '--no-rootfs-cache', ...common()], { cwd: base, stdio: ['ignore', 'pipe', 'pipe'], signal: t.signal, killSignal: 'SIGKILL' });
  child.on('error', () => undefined); // the abort above; the exit code tells
  let out = '';
  let err = '';
  let sent = false;
  const watch = (): void => {
    if (!sent && /^I: (extracting archives|installing essential packages)/m.test(err)) { sent = true; child.kill('SIGINT'); }
  };
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); watch(); });
  const code = await new Promise<number | null>((res) => child.on('close', res));
  assert.ok(sent, `never reached the bootstrap:\n${out}\n${err}`);
  assert.equal(code, 130, `${out}\n${err}`);
  assert.match(err, /ownbase: build cancelled after [\d.]+ s; nothing left mounted/);
  assert.equal(imageExists(tag), false);
  assertNothingLeft();
  assert.deepEqual(readdirSync(base), []);
});

test('cancel during the package install in the chroot: mounts die with the namespace, work folder gone', { skip, timeout: 600_000 }, async () => {
  const tag = 'ownbase-it/cancel:packages';
  let during: number[] = [];
  const r = await build([EXAMPLE, '--tag', tag, '--builder', 'debootstrap', '--no-cache', ...common()], {
    abortWhen: (out) => {
      const at = out.indexOf('] install ca-certificates in the chroot');
      if (at < 0 || !/^Unpacking /m.test(out.slice(at))) return false;
      during = processesRootedIn(base);
      return true;
    },
  });
  assert.equal(r.code, 130, `${r.out}\n${r.err}`);
  assert.ok(during.length > 0, 'apt was running inside the chroot when cancelled');
  assert.match(r.out, /^==> \[4\/8\] install ca-certificates in the chroot$/m);
  assert.equal(imageExists(tag), false);
  assertNothingLeft();
  assert.deepEqual(readdirSync(base), []);
});

test('cancel during the import: no image under the final tag, no temporary image, work folder gone', { skip, timeout: 600_000 }, async () => {
  const tag = 'ownbase-it/cancel:import';
  // Only images of this recipe (its absolute path is their label): the engine is shared with whatever else
  // builds on this machine meanwhile.
  const ours = (): string[] => sh('docker', ['images', '-q', '--no-trunc', '--filter', `label=dev.ownbase.recipe.path=${EXAMPLE}`]).split('\n').filter(Boolean).sort();
  const before = ours();
  const r = await build([EXAMPLE, '--tag', tag, ...common()], { abortWhen: started('import'), abortDelayMs: 300 });
  assert.equal(r.code, 130, `${r.out}\n${r.err}`);
  assert.match(r.out, /^==> \[(\d)\/\1\] import as ownbase-it\/cancel:import$/m, r.out); // 5 steps after a warm cache, 6 when run alone
  assert.equal(imageExists(tag), false);
  assert.equal(sh('docker', ['images', '--format', '{{.Repository}}', 'ownbase-tmp/*']), '');
  assert.deepEqual(ours().filter((id) => !before.includes(id)), []);
  assertNothingLeft();
  assert.deepEqual(readdirSync(base), []);
});

test('engine stopped before the import: a clear error, the rootfs kept, the import retried from it', { skip, timeout: 300_000 }, async () => {
  mkdirSync('/run/ownbase-it', { recursive: true });
  const env = { ...process.env, DOCKER_HOST: `unix://${PRIVATE_SOCK}` };
  // Its own network namespace: a dockerd started with --bridge=none deletes the host's docker0.
  const dockerd = spawn('unshare', ['--net', 'dockerd', '--data-root', '/var/lib/ownbase-it-docker', '--exec-root', '/run/ownbase-it/exec', '--pidfile', '/run/ownbase-it/docker.pid',
    '-H', `unix://${PRIVATE_SOCK}`, '--bridge=none', '--iptables=false', '--ip-masq=false'], { stdio: 'ignore' });
  const exited = new Promise((res) => dockerd.on('exit', res));
  try {
    for (let i = 0; i < 60 && !engineUp(env); i++) await sleep(500);
    assert.ok(engineUp(env), 'the private dockerd did not start');
    const tag = 'ownbase-it/engine:stopped';
    let stopped = false;
    const r = await build([EXAMPLE, '--tag', tag, '--no-rootfs-cache', ...common()], {
      env: { DOCKER_HOST: `unix://${PRIVATE_SOCK}` },
      abortWhen: (out) => {
        if (!stopped && started('bootstrap')(out)) { stopped = true; dockerd.kill('SIGTERM'); }
        return false;
      },
    });
    assert.ok(stopped, `the bootstrap never started, so the engine was never stopped:\n${r.out}`);
    await exited;
    assert.equal(r.code, 1, `${r.out}\n${r.err}`);
    assert.match(r.err, new RegExp(`ownbase: import as ${tag} failed: Docker engine not reachable at ${PRIVATE_SOCK}: start dockerd or set ownbase.docker.host`));
    const kept = new RegExp(`ownbase: the rootfs is kept at (${base}/ownbase-[^/]+/rootfs); retry only the import with:\\n  ownbase build (\\S+) --from-rootfs (\\S+) --tag ${tag}`).exec(r.err);
    assert.ok(kept, r.err);
    const rootfs = kept[1]!;
    assert.equal(kept[3], rootfs);
    assert.match(readFileSync(join(rootfs, 'etc/debian_version'), 'utf8'), /^12\./);
    assertNothingLeft();

    const retry = await build([EXAMPLE, '--from-rootfs', rootfs, '--tag', 'ownbase-it/engine:retried']);
    assert.equal(retry.code, 0, `${retry.out}\n${retry.err}`);
    assert.equal(imageExists('ownbase-it/engine:retried'), true);
    assert.ok(existsSync(join(rootfs, 'etc/debian_version')), '--from-rootfs keeps the folder');
    assert.deepEqual(mountsLeft(dirname(rootfs)), []);
    rmSync(dirname(rootfs), { recursive: true });
  } finally {
    // dockerd (unshare execs it) and the containerd it started: asked to stop, then killed, with a deadline.
    const tree = dockerd.pid !== undefined ? [dockerd.pid, ...descendants(dockerd.pid)] : [];
    await endProcesses(tree, { graceMs: 15_000, deadlineMs: 30_000 });
    await exited;
    rmSync('/var/lib/ownbase-it-docker', { recursive: true, force: true });
  }
});

test('no engine reachable: an OCI archive that docker load accepts, with the recipe config', { skip, timeout: 300_000 }, async () => {
  const tag = 'ownbase-it/archive:1';
  const out = join(base, 'archive-out');
  mkdirSync(out);
  const r = await build([EXAMPLE, '--tag', tag, ...common()], { env: { DOCKER_HOST: 'unix:///run/ownbase-it/no-engine.sock' }, cwd: out });
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  const file = join(out, 'ownbase-it_archive_1.oci.tar');
  try {
    assert.match(r.err, new RegExp(`^ownbase: no Docker engine reachable at /run/ownbase-it/no-engine.sock: the image goes to an archive, ${file} \\(load it with docker load -i\\)$`, 'm'));
    assert.match(r.out, new RegExp(`^wrote ${file} in [\\d.]+ s: [\\d.]+ MB, [\\d.]+ MB gzip-6 layer$`, 'm'));
    sh('docker', ['load', '-i', file]);
    const info = JSON.parse(sh('docker', ['image', 'inspect', tag]))[0];
    assert.deepEqual(info.Config.Cmd, ['/bin/bash']);
    assert.equal(sh('docker', ['run', '--rm', '--network', 'none', tag, 'cat', '/etc/debian_version']).slice(0, 3), '12.');
  } finally {
    rmSync(file, { force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

test('mounts a step leaks outside its namespace are undone deepest first; a folder with a live mount is never deleted', { skip, timeout: 60_000 }, async () => {
  const plan = planBuild(RECIPE, { hostArch: 'amd64', workdir: join(base, 'leak') });
  const prepare = plan.steps.find((s) => s.id === 'prepare')!;
  const unmount = plan.steps.find((s) => s.id === 'bootstrap')!.cleanup![0]!;
  const removeWorkdir = prepare.cleanup![0]!;
  const r = plan.rootfs;
  const leak: Step = {
    id: 'leak', kind: 'chroot', title: 'leak mounts', why: 'a tool that forgot its mounts', needsRoot: true, cleanup: [unmount],
    argv: ['sh', '-c', 'mkdir -p "$1/dev" "$1/a b" && mount --bind /dev "$1/dev" && mount -t tmpfs t "$1/a b" && mkdir "$1/a b/c" && mount -t tmpfs t "$1/a b/c"', 'sh', r],
  };

  // Without the unmount cleanup, the work folder is not deleted: its mounts stay, and so does the folder.
  const refused = await runPlan({ steps: [prepare, { ...leak, cleanup: [] }], rootfs: r });
  assert.equal(refused.outcome, 'succeeded');
  assert.deepEqual(refused.cleanupFailures.map((c) => c.id), ['remove-workdir']);
  assert.deepEqual(refused.mountsLeft, [`${r}/dev`, `${r}/a b/c`, `${r}/a b`]);
  assert.ok(existsSync(join(r, 'dev/null')), 'the host /dev is still bound: nothing was deleted through it');

  // With it: unmounted deepest first, then the folder goes.
  execFileSync('sh', ['-c', unmount.argv[2]!, 'sh', r]);
  assert.deepEqual(mountsLeft(r), []);
  const cleaned = await runPlan({ steps: [prepare, leak], rootfs: r });
  assert.equal(cleaned.outcome, 'succeeded');
  assert.deepEqual(cleaned.cleanupFailures, []);
  assert.deepEqual(cleaned.mountsLeft, []);
  assert.equal(existsSync(plan.workdir), false);
  assert.equal(removeWorkdir.when, 'unless-kept');
});
