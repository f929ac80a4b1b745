// A runtime recipe made by `ownbase needs --recipe` and built by `ownbase build`: the dynamic examples/hello
// runs in an image of ≤ 2.2 MB. The root is the run's shared bookworm image (exported once, given to the build as
// --from-rootfs); with OWNBASE_SLOW_TESTS=1 the build bootstraps its root from the recipe alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../../src/cli/run';
import { parseRecipe } from '../../src/core/recipe/parse';
import { connectEngine, engineReachable } from '../../src/core/engine/connect';
import { releaseShared, sharedBookworm } from './shared';

const SLOW = process.env['OWNBASE_SLOW_TESTS'] === '1';
const docker = connectEngine();
const run = `${process.pid}`;
const TAGS = { fromRoot: `ownbase-test-runtime-hello:${run}`, bootstrapped: `ownbase-test-runtime-boot:${run}`, staged: `ownbase-test-runtime-staged:${run}`, app: `ownbase-test-runtime-app:${run}` };
const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'ownbase-test-runtime-'));
const rootDir = join(work, 'root');
const appDir = join(work, 'app');
const examples = (() => { let d = __dirname; while (!existsSync(join(d, 'package.json'))) d = dirname(d); return join(d, 'examples/hello'); })();

const sh = (cmd: string, args: string[]): { status: number; out: string } => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
  return { status: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
};
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd: appDir, stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } } });
  return { code, stdout, stderr };
}

before(async () => {
  assert.ok(await engineReachable(docker), 'these tests need the Docker engine (start dockerd)');
  mkdirSync(appDir);
  mkdirSync(rootDir);
  const gcc = sh('gcc', ['-O2', '-o', join(appDir, 'hello'), join(examples, 'hello.c')]);
  assert.equal(gcc.status, 0, `gcc builds hello.c: ${gcc.out}`);
  const shared = await sharedBookworm();
  const c = sh('docker', ['create', shared, '/never-runs']);
  assert.equal(c.status, 0, c.out);
  const id = c.out.trim();
  try {
    const x = spawnSync('sh', ['-c', 'docker export "$1" | tar -x -C "$2"', 'sh', id, rootDir], { encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
  } finally { sh('docker', ['rm', '-f', id]); }
});

after(() => {
  const refs = Object.values(TAGS).filter((t) => sh('docker', ['image', 'inspect', t]).status === 0);
  if (refs.length > 0) sh('docker', ['rmi', '-f', ...refs]);
  rmSync(work, { recursive: true, force: true });
  releaseShared();
});

test('needs --recipe writes a runtime recipe that lint accepts and build turns into a 2.2 MB image that runs', async () => {
  const made = await cli(['needs', './hello', '--root', rootDir, '--recipe', 'hello.ownbase.yaml', '--image', TAGS.fromRoot]);
  assert.equal(made.code, 0, made.stderr);
  const text = readFileSync(join(appDir, 'hello.ownbase.yaml'), 'utf8');
  const parsed = parseRecipe(text);
  assert.deepEqual(parsed.diagnostics, []);
  assert.deepEqual(parsed.recipe, {
    image: TAGS.fromRoot, distro: 'debian', suite: 'bookworm', arch: 'amd64', profile: 'runtime', packages: ['libc6'],
    runtime: { binaries: [{ path: 'hello' }], user: 'nonroot' },
  });
  const lint = await cli(['lint', 'hello.ownbase.yaml']);
  assert.equal(lint.code, 0, lint.stdout + lint.stderr);

  const built = await cli(['build', 'hello.ownbase.yaml', '--from-rootfs', rootDir, '--progress', 'json']);
  assert.equal(built.code, 0, built.stdout.slice(-3000) + built.stderr);
  const events = built.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; tag?: string; size?: number });
  const result = events.find((e) => e.type === 'result');
  assert.equal(result?.tag, TAGS.fromRoot);
  assert.equal(sh('docker', ['run', '--rm', '--network', 'none', TAGS.fromRoot]).out, 'hello from an owned base\n');
  const size = Number(sh('docker', ['image', 'inspect', TAGS.fromRoot, '--format', '{{.Size}}']).out.trim());
  assert.ok(size > 1_000_000 && size <= 2_200_000, `the runtime image is ${size} bytes`);
  assert.equal(result?.size, size);
  // No shell, no apt, no dpkg tools: nothing to exec but the binary.
  const files = sh('sh', ['-c', 'c=$(docker create "$1") && docker export "$c" | tar -t; docker rm -f "$c" >/dev/null', 'sh', TAGS.fromRoot]).out.split('\n');
  assert.ok(files.includes('usr/local/bin/hello'));
  assert.ok(files.includes('var/lib/dpkg/status.d/libc6'));
  assert.deepEqual(files.filter((f) => /(^|\/)(sh|dash|bash|apt|apt-get|dpkg)$/.test(f)), []);
});

test('a runtime recipe whose binary is not beside it fails before any work, naming the file', async () => {
  const made = await cli(['needs', './hello', '--root', rootDir, '--recipe', 'sub/gone.ownbase.yaml']);
  assert.equal(made.code, 0, made.stderr);
  rmSync(join(appDir, 'hello'), { force: false });
  try {
    const built = await cli(['build', 'sub/gone.ownbase.yaml', '--from-rootfs', rootDir]);
    assert.equal(built.code, 1);
    assert.match(built.stderr + built.stdout, /runtime binary \S+\/hello: no such file/);
  } finally {
    assert.equal(sh('gcc', ['-O2', '-o', join(appDir, 'hello'), join(examples, 'hello.c')]).status, 0);
  }
});

test('the runtime build bootstraps its root from the recipe alone', { skip: SLOW ? false : 'slow (a bootstrap, 1-2 minutes): OWNBASE_SLOW_TESTS=1 runs it', timeout: 900_000 }, async () => {
  const made = await cli(['needs', './hello', '--root', rootDir, '--recipe', 'boot.ownbase.yaml', '--image', TAGS.bootstrapped]);
  assert.equal(made.code, 0, made.stderr);
  const built = await cli(['build', 'boot.ownbase.yaml', '--cache-dir', '/var/cache/ownbase-it/shared']);
  assert.equal(built.code, 0, built.stdout.slice(-3000) + built.stderr);
  assert.equal(sh('docker', ['run', '--rm', '--network', 'none', TAGS.bootstrapped]).out, 'hello from an owned base\n');
  assert.ok(Number(sh('docker', ['image', 'inspect', TAGS.bootstrapped, '--format', '{{.Size}}']).out.trim()) <= 2_200_000);
});

test('a runtime recipe takes its binary from a Dockerfile stage (docker build --target), as the split writes it', async () => {
  const dir = join(work, 'staged');
  mkdirSync(dir);
  const shared = await sharedBookworm();
  spawnSync('cp', [join(appDir, 'hello'), join(dir, 'hello')]);
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${shared} AS build\nCOPY hello /src/hello\n\nFROM ${TAGS.staged}\nCOPY --from=build /src/hello /hello\nCMD ["/hello"]\n`);
  writeFileSync(join(dir, 'app-runtime.ownbase.yaml'), [
    `image: ${TAGS.staged}`, 'distro: debian', 'suite: bookworm', 'profile: runtime',
    'runtime:', '  binaries: [{path: /src/hello, stage: build, dockerfile: Dockerfile, to: /hello}]', '',
  ].join('\n'));
  const built = await cli(['build', join(dir, 'app-runtime.ownbase.yaml'), '--from-rootfs', rootDir]);
  assert.equal(built.code, 0, built.stdout.slice(-3000) + built.stderr);
  assert.match(built.stdout + built.stderr, /building stage build of \S+\/Dockerfile for its binary/);
  const app = sh('docker', ['build', '-q', '-t', TAGS.app, dir]);
  assert.equal(app.status, 0, app.out);
  assert.equal(sh('docker', ['run', '--rm', '--network', 'none', TAGS.app]).out, 'hello from an owned base\n');
  assert.ok(Number(sh('docker', ['image', 'inspect', TAGS.app, '--format', '{{.Size}}']).out.trim()) <= 2_200_000);
  // The stage image built to read the binary is gone.
  assert.equal(sh('docker', ['images', '-q', 'ownbase-tmp/runtime-stage-*']).out.trim(), '');
});
