// Real builds as root: a bare bookworm recipe with the release's updates and security suites. The first
// build (updates: false) fills a fresh package cache with the release as published; the second is seeded from
// that cache and must still get every fix the archives publish: the cache never decides what is newest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostSecurityMirror } from '../../src/core/build/mirror';
import { runCli } from '../../src/cli/run';

const IS_ROOT = process.getuid?.() === 0;
const skip = IS_ROOT ? false : 'needs root (mmdebstrap, chroot, mounts)';
const TAG = `ownbase-test-security-${process.pid}`;
const BARE = (updates: boolean): string => `image: ${TAG}:bare\ndistro: debian\nsuite: bookworm\nvariant: minbase\nbuilder: mmdebstrap\n${updates ? '' : 'updates: false\n'}`;

let base = '';
let cacheRoot = '';

const sh = (file: string, args: string[]): string => execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
const engineUp = (): boolean => spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function build(recipeText: string, tag: string): Promise<{ code: number; out: string; err: string }> {
  const file = join(base, `${tag.replace(/\W/g, '-')}.ownbase.yaml`);
  writeFileSync(file, recipeText);
  let out = '';
  let err = '';
  const code = await runCli(['build', file, '--force', '--tag', tag, '--workdir', base, '--cache-dir', cacheRoot], {
    cwd: base, stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } },
  });
  return { code, out, err };
}

const labels = (ref: string): Record<string, string> => JSON.parse(sh('docker', ['image', 'inspect', ref]))[0].Config.Labels ?? {};
const lastLine = (out: string): string => out.trimEnd().split('\n').at(-1)!;

before(async () => {
  if (!IS_ROOT) return;
  if (!engineUp()) {
    spawn('dockerd', [], { detached: true, stdio: ['ignore', 'ignore', 'ignore'] }).unref();
    for (let i = 0; i < 60 && !engineUp(); i++) await sleep(1000);
    assert.ok(engineUp(), 'dockerd did not come up');
  }
  base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : '/var/tmp', 'ownbase-test-security-'));
  mkdirSync('/var/cache/ownbase-it', { recursive: true });
  cacheRoot = mkdtempSync('/var/cache/ownbase-it/security-');
});

after(() => {
  if (!IS_ROOT) return;
  const tags = spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', TAG], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  if (tags.length > 0) spawnSync('docker', ['rmi', '-f', ...tags], { stdio: 'ignore' });
  if (base) rmSync(base, { recursive: true, force: true });
  if (cacheRoot) rmSync(cacheRoot, { recursive: true, force: true });
});

test('updates: false builds bookworm as published: its sources name bookworm alone, no updates label', { skip, timeout: 1_200_000 }, async () => {
  const r = await build(BARE(false), `${TAG}:release`);
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  assert.doesNotMatch(r.out, /^==> \[\d+\/\d+\] upgrade/m);
  assert.equal(lastLine(r.out), 'updates: none applied; updates: false: debian bookworm as published, without bookworm-updates and bookworm-security');
  assert.equal(labels(`${TAG}:release`)['ownbase.updates.applied'], undefined);
  const sources = sh('docker', ['run', '--rm', '--network', 'none', `${TAG}:release`, 'sh', '-c', 'ls /etc/apt/sources.list 2>/dev/null; cat /etc/apt/sources.list.d/debian.sources']);
  assert.match(sources, /^Types: deb\nURIs: \S+\nSuites: bookworm\nComponents: main\nSigned-By: \/usr\/share\/keyrings\/debian-archive-keyring\.gpg\n$/);
});

test('a warm build from a cache of the release still applies every fix: no package older than the host apt candidate', { skip, timeout: 1_200_000 }, async () => {
  const tag = `${TAG}:updated`;
  const r = await build(BARE(true), tag);
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, /^==> \[2\/\d+\] bootstrap debian bookworm amd64 with bookworm-updates.* from the package cache \(mmdebstrap\)$/m);
  const hasSecurity = hostSecurityMirror('debian') !== undefined;
  const summary = new RegExp(`^updates: (\\d+) packages? upgraded from bookworm-updates${hasSecurity ? ' and bookworm-security' : ''}`).exec(lastLine(r.out));
  assert.ok(summary, r.out);
  const applied = Number(summary[1]);
  assert.ok(applied > 0, 'a cache holding only the release: the bootstrap must have taken the fixes published since');
  assert.equal(labels(tag)['ownbase.updates.applied'], String(applied));

  // Every installed package is at least the candidate the host's apt offers from the same suites.
  const installed = new Map(sh('docker', ['run', '--rm', '--network', 'none', tag, 'dpkg-query', '-W', '-f', '${Package} ${Version}\n'])
    .trim().split('\n').map((l) => l.split(' ') as [string, string]));
  assert.ok(installed.size > 70, `${installed.size} packages`);
  sh('apt-get', ['update']);
  const policy = sh('apt-cache', ['policy', ...installed.keys()]);
  const candidates = new Map<string, string>();
  for (const m of policy.matchAll(/^(\S+):\n {2}Installed: .*\n {2}Candidate: (\S+)$/gm)) candidates.set(m[1]!.replace(/:amd64$/, ''), m[2]!);
  assert.ok(candidates.size > 70, policy.slice(0, 2000));
  const older = [...installed].filter(([name, version]) => {
    const c = candidates.get(name);
    return c !== undefined && c !== '(none)' && spawnSync('dpkg', ['--compare-versions', version, 'lt', c]).status === 0;
  });
  assert.deepEqual(older, [], 'packages older than the host candidate');

  const listed = sh('docker', ['run', '--rm', '--network', 'none', tag, 'sh', '-c', 'test ! -e /etc/apt/sources.list && cat /etc/apt/sources.list.d/debian.sources']);
  assert.match(listed, /^Suites: bookworm bookworm-updates$/m);
  if (hasSecurity) assert.match(listed, /^Suites: bookworm-security$/m);
  assert.doesNotMatch(listed, /localhost|127\.0\.0\.1|\[::1\]/);

  const out = sh('docker', ['run', '--rm', '--network', 'host', tag, 'sh', '-c',
    'apt-get update >/dev/null && apt-get install -y --no-install-recommends less >/dev/null 2>&1 && less --version | head -1']);
  assert.match(out, /^less \d+ /);
  assert.deepEqual(readdirSync(base).filter((f) => !f.endsWith('.ownbase.yaml')), [], 'the work folder and the count file are gone');
});
