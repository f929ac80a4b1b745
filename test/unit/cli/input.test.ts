import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run';
import { readInput } from '../../../src/cli/readInput';

// A FIFO or /dev/zero read by mistake blocks or never ends: the timeout turns such a hang into a failure.
const HANG = { timeout: 20_000 };

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { cwd, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'ownbase-lint-input-'));
}

test('a FIFO is refused before it is opened, named directly or found in a tree; the rest is linted', HANG, async () => {
  const d = dir();
  execFileSync('mkfifo', [join(d, 'Dockerfile.pipe')]);
  execFileSync('mkfifo', [join(d, 'spec')]);
  writeFileSync(join(d, 'Dockerfile'), 'FROM gcc:12\nFROM busybox:glibc\n');
  const tree = await cli(['lint', '--format', 'json', '.'], d);
  assert.equal(tree.code, 2);
  assert.equal(tree.err, 'ownbase lint: Dockerfile.pipe: not a regular file (a named pipe (FIFO)); ownbase reads only regular files\n');
  assert.deepEqual(JSON.parse(tree.out).files.map((f: { path: string }) => f.path), ['Dockerfile']);
  const named = await cli(['lint', 'spec'], d);
  assert.equal(named.code, 2);
  assert.equal(named.err, 'ownbase lint: spec: not a regular file (a named pipe (FIFO)); ownbase reads only regular files\n');
  execFileSync('mkfifo', [join(d, 'r.ownbase.yaml')]);
  const script = await cli(['script', 'r.ownbase.yaml'], d);
  assert.equal(script.code, 2);
  assert.equal(script.err, 'ownbase: cannot read r.ownbase.yaml: not a regular file (a named pipe (FIFO)); ownbase reads only regular files\n');
  rmSync(d, { recursive: true });
});

test('/dev/zero and other devices are refused at once', HANG, async () => {
  const d = dir();
  const zero = await cli(['lint', '/dev/zero'], d);
  assert.equal(zero.code, 2);
  assert.equal(zero.err, 'ownbase lint: /dev/zero: not a regular file (a character device); ownbase reads only regular files\n');
  symlinkSync('/dev/zero', join(d, 'Dockerfile'));
  const linked = await cli(['lint', 'Dockerfile'], d);
  assert.equal(linked.code, 2);
  assert.match(linked.err, /^ownbase lint: Dockerfile: not a regular file \(a character device\)/);
  assert.equal((await cli(['script', '/dev/zero'], d)).code, 2);
  const read = readInput('/dev/null', 10);
  assert.deepEqual(read, { ok: false, reason: 'not a regular file (a character device); ownbase reads only regular files' });
  rmSync(d, { recursive: true });
});

test('files above the size limit are refused with their size; --max-file-size raises it', HANG, async () => {
  const d = dir();
  writeFileSync(join(d, 'Dockerfile'), `FROM debian:12\n${'# padding padding padding\n'.repeat(420_000)}`); // ~10.9 MB
  writeFileSync(join(d, 'big.ownbase.yaml'), `image: a/b:1\ndistro: debian\nsuite: bookworm\n${'# pad\n'.repeat(200_000)}`); // ~1.2 MB
  const r = await cli(['lint', '.'], d);
  assert.equal(r.code, 2);
  assert.equal(r.err,
    'ownbase lint: Dockerfile: 10.4 MB, larger than the limit of 10 MB (raise it with --max-file-size)\n' +
    'ownbase lint: big.ownbase.yaml: 1.1 MB, larger than the limit of 1 MB (raise it with --max-file-size)\n');
  const raised = await cli(['lint', '--max-file-size', '20M', '--format', 'json', '.'], d);
  assert.equal(raised.code, 0, raised.err);
  assert.deepEqual(JSON.parse(raised.out).files.map((f: { path: string }) => f.path), ['Dockerfile', 'big.ownbase.yaml']);
  const script = await cli(['script', 'big.ownbase.yaml'], d);
  assert.equal(script.code, 2);
  assert.equal(script.err, 'ownbase: cannot read big.ownbase.yaml: 1.1 MB, larger than the limit of 1 MB (raise it with --max-file-size)\n');
  assert.equal((await cli(['lint', '--max-file-size', 'lots', '.'], d)).code, 2);
  rmSync(d, { recursive: true });
});

test('a symbolic link loop named like a Dockerfile is reported on its own line; its siblings are linted; exit 2', async () => {
  const d = dir();
  mkdirSync(join(d, 'app'));
  writeFileSync(join(d, 'app', 'Dockerfile'), 'FROM gcc:12\nFROM busybox:glibc\n');
  symlinkSync('Dockerfile.x', join(d, 'app', 'Dockerfile.x'));
  symlinkSync('nowhere', join(d, 'app', 'Dockerfile.dangling')); // a dangling link is no file: skipped
  const r = await cli(['lint', '--format', 'json', '.'], d);
  assert.equal(r.code, 2);
  assert.equal(r.err, 'ownbase lint: app/Dockerfile.x: too many levels of symbolic links (a symbolic link loop)\n');
  const files = JSON.parse(r.out).files;
  assert.deepEqual(files.map((f: { path: string }) => f.path), ['app/Dockerfile']);
  assert.ok(files[0].diagnostics.some((x: { code: string }) => x.code === 'OB101'));
  rmSync(d, { recursive: true });
});

test('an unreadable subfolder is named (not its parent) and its readable siblings are linted; exit 2', () => {
  const d = dir();
  chmodSync(d, 0o755);
  for (const sub of ['a', 'locked', 'z']) mkdirSync(join(d, sub));
  writeFileSync(join(d, 'a', 'Dockerfile'), 'FROM gcc:12\nFROM busybox:glibc\n');
  writeFileSync(join(d, 'z', 'Dockerfile'), 'FROM debian:12\n');
  writeFileSync(join(d, 'locked', 'Dockerfile'), 'FROM debian:12\n');
  chmodSync(join(d, 'locked'), 0);
  // root reads any folder: run the CLI as nobody, whom the mode stops.
  const cliJs = join(__dirname, '../../../../dist/cli.js');
  const asNobody = process.getuid?.() === 0 ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliJs]] as const
    : [process.execPath, [cliJs]] as const;
  const r = spawnSync(asNobody[0], [...asNobody[1], 'lint', '--format', 'json', '.'], { cwd: d, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, 'ownbase lint: locked: cannot read folder: permission denied\n');
  assert.deepEqual(JSON.parse(r.stdout).files.map((f: { path: string }) => f.path), ['a/Dockerfile', 'z/Dockerfile']);
  chmodSync(join(d, 'locked'), 0o755);
  rmSync(d, { recursive: true });
});

test('--rule with an unknown code is a usage error that names the known codes', async () => {
  const d = dir();
  writeFileSync(join(d, 'Dockerfile'), 'FROM debian:12\n');
  const r = await cli(['lint', '--rule', 'OB999=off', '.'], d);
  assert.equal(r.code, 2);
  assert.match(r.err, /^ownbase lint: unknown rule OB999 in --rule; the rules are OB001, OB002, OB101, OB102, OB103, OB104, OB105, OB200, .*OB207, OB208, OB301\n/);
  assert.equal((await cli(['lint', '--rule', 'ob101=off', '.'], d)).code, 0);
  rmSync(d, { recursive: true });
});

test('bytes that are not UTF-8: OB001 at the first bad byte, in a Dockerfile, a script and a recipe', async () => {
  const d = dir();
  writeFileSync(join(d, 'Dockerfile'), Buffer.concat([Buffer.from('FROM debian:12\nRUN echo caf'), Buffer.from([0xe9]), Buffer.from(' \xff\n', 'latin1')]));
  writeFileSync(join(d, 'run.sh'), Buffer.from([0x65, 0x63, 0x68, 0x6f, 0x20, 0xc3, 0x28, 0x0a]));
  writeFileSync(join(d, 'r.ownbase.yaml'), Buffer.concat([Buffer.from('image: a/b:1\ndistro: debian\nsuite: bookworm\n# '), Buffer.from([0xc0, 0xaf]), Buffer.from('\n')]));
  const r = await cli(['lint', '--format', 'json', '.'], d);
  assert.equal(r.code, 1, r.err);
  const byPath = Object.fromEntries(JSON.parse(r.out).files.map((f: { path: string; diagnostics: { code: string }[] }) =>
    [f.path, f.diagnostics.filter((x) => x.code === 'OB001')]));
  assert.deepEqual(byPath['Dockerfile'][0], {
    code: 'OB001', severity: 'error',
    message: 'Not UTF-8: byte 0xe9 at line 2, column 13 is not valid UTF-8 (read as U+FFFD). Save the file as UTF-8.',
    range: { start: { line: 2, column: 13 }, end: { line: 2, column: 14 } },
  });
  assert.deepEqual(byPath['run.sh'][0].range, { start: { line: 1, column: 6 }, end: { line: 1, column: 7 } });
  assert.match(byPath['run.sh'][0].message, /byte 0xc3 at line 1, column 6/);
  assert.match(byPath['r.ownbase.yaml'][0].message, /byte 0xc0 at line 4, column 3/);
  assert.equal((await cli(['lint', '--rule', 'OB001=off', 'run.sh'], d)).code, 0);
  const script = await cli(['script', 'r.ownbase.yaml'], d);
  assert.equal(script.code, 1);
  assert.match(script.err, /^r\.ownbase\.yaml:4:3: error OB001 Not UTF-8: byte 0xc0/);
  rmSync(d, { recursive: true });
});
