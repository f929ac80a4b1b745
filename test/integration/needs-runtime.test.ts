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

type Event = { type: string; id?: string; status?: string; message?: string; text?: string; tag?: string; upToDate?: boolean; inputsSha256?: string };
const eventsOf = (stdout: string): Event[] => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);

const SLOW = process.env['OWNBASE_SLOW_TESTS'] === '1';
const docker = connectEngine();
const run = `${process.pid}`;
const TAGS = {
  fromRoot: `ownbase-test-runtime-hello:${run}`, bootstrapped: `ownbase-test-runtime-boot:${run}`, staged: `ownbase-test-runtime-staged:${run}`, app: `ownbase-test-runtime-app:${run}`,
  checked: `ownbase-test-runtime-checked:${run}`, refused: `ownbase-test-runtime-refused:${run}`, refusedFailed: `ownbase-test-runtime-refused:${run}-failed`,
};
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
  // Unchanged recipe and binary: up to date before any bootstrap.
  const again = await cli(['build', 'boot.ownbase.yaml', '--cache-dir', '/var/cache/ownbase-it/shared', '--progress', 'json']);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.equal(eventsOf(again.stdout).find((e) => e.type === 'result')?.upToDate, true);
  assert.deepEqual(eventsOf(again.stdout).filter((e) => e.type === 'step-start'), []);
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
  // Its checks are the same as any runtime image's (the next test): skipped here.
  const built = await cli(['build', join(dir, 'app-runtime.ownbase.yaml'), '--from-rootfs', rootDir, '--no-checks']);
  assert.equal(built.code, 0, built.stdout.slice(-3000) + built.stderr);
  assert.match(built.stdout + built.stderr, /building stage build of \S+\/Dockerfile for its binary/);
  const app = sh('docker', ['build', '-q', '-t', TAGS.app, dir]);
  assert.equal(app.status, 0, app.out);
  assert.equal(sh('docker', ['run', '--rm', '--network', 'none', TAGS.app]).out, 'hello from an owned base\n');
  assert.ok(Number(sh('docker', ['image', 'inspect', TAGS.app, '--format', '{{.Size}}']).out.trim()) <= 2_200_000);
  // The stage image built to read the binary is gone.
  assert.equal(sh('docker', ['images', '-q', 'ownbase-tmp/runtime-stage-*']).out.trim(), '');
});

const VERIFY_PASSES = [
  'verify:',
  '  commands:',
  "    - argv: [/usr/local/bin/hello]",
  "      stdout: ['^hello from an owned base\\n$']",
  '  files:',
  "    - { path: /usr/local/bin/hello, mode: '0755', executableBy: nonroot }",
  '    - { path: /bin/sh, exists: false }',
  "    - { path: /etc/os-release, contents: ['VERSION_CODENAME=bookworm'] }",
];
const VERIFY_FAILS = [
  'verify:',
  '  commands:',
  "    - argv: [/usr/local/bin/hello]",
  "      stdout: [goodbye]",
  '    - argv: [/bin/sh, -c, "true"]',
  '  files:',
  '    - { path: /usr/local/bin/hello, exists: false }',
];
const runtimeRecipe = (image: string, verify: string[]): string => [
  `image: ${image}`, 'distro: debian', 'suite: bookworm', 'profile: runtime', 'runtime:', '  binaries: [{path: hello}]', ...verify, '',
].join('\n');

test('a runtime build runs its checks without a shell: programs as their own containers, files read from the image; apt is skipped, said why', async () => {
  writeFileSync(join(appDir, 'checked.ownbase.yaml'), runtimeRecipe(TAGS.checked, VERIFY_PASSES));
  const built = await cli(['build', 'checked.ownbase.yaml', '--from-rootfs', rootDir, '--progress', 'json']);
  assert.equal(built.code, 0, built.stdout.slice(-3000) + built.stderr);
  const checks = Object.fromEntries(eventsOf(built.stdout).filter((e) => e.type === 'check').map((e) => [e.id, e.status]));
  assert.deepEqual(checks, {
    'builtins.apt': 'skipped', 'builtins.loader': 'passed', 'builtins.setuid': 'passed', 'builtins.scanners': 'passed',
    'commands[0]': 'passed', 'files[0]': 'passed', 'files[1]': 'passed', 'files[2]': 'passed',
  });
  assert.match(eventsOf(built.stdout).find((e) => e.id === 'builtins.apt')!.message!, /no shell, no apt/);
  assert.equal(sh('docker', ['image', 'inspect', TAGS.checked]).status, 0, 'the checks passed: the image has its name');
  const inputs = eventsOf(built.stdout).find((e) => e.type === 'result')?.inputsSha256;
  assert.match(inputs ?? '', /^[0-9a-f]{64}$/, 'from a --from-rootfs folder, the files taken from it are the inputs');
  const labels = JSON.parse(sh('docker', ['image', 'inspect', TAGS.checked, '--format', '{{json .Config.Labels}}']).out) as Record<string, string>;
  assert.equal(labels['dev.ownbase.inputs.sha256'], inputs);
  assert.equal(labels['dev.ownbase.recipe.path'], 'checked.ownbase.yaml', 'the Owned Bases view finds it by its recipe');

  // Unchanged: up to date at once, nothing run; --force rebuilds (the same image: same files, same epoch).
  const again = await cli(['build', 'checked.ownbase.yaml', '--from-rootfs', rootDir, '--progress', 'json']);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const events = eventsOf(again.stdout);
  assert.deepEqual(events.filter((e) => e.type === 'plan' || e.type === 'step-start' || e.type === 'check'), [], 'nothing run');
  assert.equal(events.find((e) => e.type === 'result')?.upToDate, true);
  assert.match(events.find((e) => e.type === 'note')?.text ?? '', /^up to date: \S+ has the same inputs/);
  const forced = await cli(['build', 'checked.ownbase.yaml', '--from-rootfs', rootDir, '--force', '--no-checks', '--progress', 'json']);
  assert.equal(forced.code, 0, forced.stdout.slice(-3000) + forced.stderr);
  const f = eventsOf(forced.stdout);
  assert.ok(f.some((e) => e.type === 'step-start'), 'rebuilt');
  assert.equal(f.find((e) => e.type === 'result')?.upToDate, undefined);
  assert.equal(f.find((e) => e.type === 'result')?.inputsSha256, inputs);
  // (A rebuilt binary is another input: test/unit/elf/recipe.test.ts.)

  // The same image against checks that fail, by `ownbase test`.
  writeFileSync(join(appDir, 'failing.ownbase.yaml'), runtimeRecipe(TAGS.checked, VERIFY_FAILS));
  const tested = await cli(['test', 'failing.ownbase.yaml', '--format', 'json']);
  assert.equal(tested.code, 1, tested.stdout + tested.stderr);
  const report = JSON.parse(tested.stdout) as { results: { id: string; status: string; message: string }[] };
  const byId = new Map(report.results.map((r) => [r.id, r]));
  assert.equal(byId.get('commands[0]')?.status, 'failed');
  assert.match(byId.get('commands[0]')!.message, /stdout does not match \/goodbye\//);
  assert.match(byId.get('commands[0]')!.message, /hello from an owned base/);
  assert.equal(byId.get('commands[1]')?.status, 'failed');
  assert.match(byId.get('commands[1]')!.message, /^\/bin\/sh -c true could not run: .*(no such file|not found)/is);
  assert.equal(byId.get('files[0]')?.status, 'failed');
  assert.equal(byId.get('files[0]')!.message, '/usr/local/bin/hello must be absent; found 1: /usr/local/bin/hello.');
  assert.equal(byId.get('builtins.scanners')?.status, 'passed');

  // A build whose checks fail keeps the image as NAME-failed, never as NAME.
  writeFileSync(join(appDir, 'refused.ownbase.yaml'), runtimeRecipe(TAGS.refused, VERIFY_FAILS));
  const refused = await cli(['build', 'refused.ownbase.yaml', '--from-rootfs', rootDir]);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout + refused.stderr, /3 of 7 checks failed/);
  assert.notEqual(sh('docker', ['image', 'inspect', TAGS.refused]).status, 0);
  assert.equal(sh('docker', ['image', 'inspect', TAGS.refusedFailed]).status, 0);
});
