// "Split" of examples/gcc-hello and examples/go-scratch, applied and built for real: the build stage on an owned
// build base (bootstrapped with gcc / golang-go), the final stage on a runtime base (gcc-hello, ≤ 2.2 MB) or FROM
// scratch (go-scratch, no modules to download). Each build base is a bootstrap with a toolchain: minutes, so the
// file runs with OWNBASE_SLOW_TESTS=1; the always-on check of the same path (a runtime binary taken from a stage)
// is in needs-runtime.test.ts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli } from '../../src/cli/run';
import { fixesOf, lintText } from '../../src/core/lint';
import { applyEdits } from '../../src/core/kernel/text';
import { parseRecipe } from '../../src/core/recipe';

const SLOW = process.env['OWNBASE_SLOW_TESTS'] === '1';
const skip = SLOW ? false : 'slow (two toolchain bootstraps, 5+ minutes): OWNBASE_SLOW_TESTS=1 runs it';
const run = `${process.pid}`;
const CACHE = '/var/cache/ownbase-it/shared';
const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : '/var/tmp', 'ownbase-test-split-'));
const examples = (() => { let d = __dirname; while (!existsSync(join(d, 'package.json'))) d = dirname(d); return join(d, 'examples'); })();
const made: string[] = [];

const sh = (cmd: string, args: string[]): { status: number; out: string } => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 900_000, maxBuffer: 1 << 26 });
  return { status: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
};
async function cli(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  let out = '';
  const io = { write: (s: string) => { out += s; } };
  const code = await runCli(args, { cwd, stdout: io, stderr: io });
  return { code, out };
}

/** Copies the example, applies its Split fix (files created, Dockerfile rewritten); the recipes' images get this run's tags. */
function split(example: string): { dir: string; recipes: string[] } {
  const dir = join(work, example);
  cpSync(join(examples, example), dir, { recursive: true });
  const path = join(dir, 'Dockerfile');
  const text = readFileSync(path, 'utf8');
  const ds = lintText('dockerfile', text, { path, fixes: false, fileExists: existsSync, ownedImages: [] });
  const fix = fixesOf('dockerfile', text, ds, { path, fileExists: existsSync, ownedImages: [] }).flat().find((f) => f.title.startsWith('Split'));
  assert.ok(fix, `no Split fix for ${example}`);
  const rename = (s: string): string => s.replace(/owned\/([a-z0-9-]+):([a-z]+)/g, `ownbase-test-split-$1:$2-${run}`);
  const recipes: string[] = [];
  for (const c of fix.changes) {
    if (c.create) { writeFileSync(c.path!, rename(c.create.newText)); recipes.push(c.path!); }
    if (c.edits) writeFileSync(path, rename(applyEdits(text, c.edits)));
  }
  for (const r of recipes) made.push(parseRecipe(readFileSync(r, 'utf8')).recipe!.image);
  return { dir, recipes };
}

after(() => {
  const refs = made.filter((t) => sh('docker', ['image', 'inspect', t]).status === 0);
  if (refs.length > 0) sh('docker', ['rmi', '-f', ...refs]);
  rmSync(work, { recursive: true, force: true });
});

test('gcc-hello split: gcc on the owned build base, hello on a runtime base (≤ 2.2 MB: bookworm, as the gcc:12 image)', { skip, timeout: 1_800_000 }, async () => {
  const { dir, recipes } = split('gcc-hello');
  assert.deepEqual(recipes.map((r) => r.slice(dir.length + 1)), ['gcc-hello-build.ownbase.yaml', 'gcc-hello-runtime.ownbase.yaml']);
  mkdirSync(CACHE, { recursive: true });
  for (const r of recipes) {
    const b = await cli(['build', r, '--cache-dir', CACHE, '--no-checks'], dir);
    assert.equal(b.code, 0, b.out.slice(-4000));
  }
  const tag = `ownbase-test-split-gcc-hello-app:${run}`;
  made.push(tag);
  const built = sh('docker', ['build', '-q', '-t', tag, dir]);
  assert.equal(built.status, 0, built.out);
  assert.equal(sh('docker', ['run', '--rm', '--network', 'none', tag]).out, 'hello from an owned base\n');
  const size = Number(sh('docker', ['image', 'inspect', tag, '--format', '{{.Size}}']).out.trim());
  // The gcc image holds gcc 12 on bookworm, so both bases are bookworm (its loader and libc: 2.14 MB).
  assert.deepEqual(recipes.map((r) => parseRecipe(readFileSync(r, 'utf8')).recipe!.suite), ['bookworm', 'bookworm']);
  assert.ok(size <= 2_200_000, `the runtime image is ${size} bytes`);
  assert.ok(size < 4_450_000 / 1.9, 'less than half of busybox:glibc');
});

test('go-scratch split: the Go build on an owned base, the program FROM scratch', { skip, timeout: 1_800_000 }, async () => {
  const { dir, recipes } = split('go-scratch');
  assert.equal(recipes.length, 1);
  const b = await cli(['build', recipes[0]!, '--cache-dir', CACHE, '--no-checks'], dir);
  assert.equal(b.code, 0, b.out.slice(-4000));
  const tag = `ownbase-test-split-go-scratch-app:${run}`;
  made.push(tag);
  const built = sh('docker', ['build', '-q', '--network', 'none', '-t', tag, dir]);
  assert.equal(built.status, 0, built.out);
  const ran = sh('docker', ['run', '--rm', '--network', 'none', tag]);
  assert.equal(ran.status, 0, ran.out);
  assert.equal(ran.out, 'hello from a static binary\n');
});
