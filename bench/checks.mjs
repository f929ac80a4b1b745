// The checks of examples/bookworm-slim.ownbase.yaml (the built-in ones and its verify: section) against a warm
// build of the same recipe: a warm-up build fills the package cache, then rounds of `ownbase build --no-checks`
// --force and `ownbase test` on the image it made. Target (issue 12): the built-in checks take ≤ 5% of a warm build.
// Prints medians, the ratios (all of `ownbase test`; the built-in checks alone) and each check's median; never fails
// on a missed target.
//
//   sudo node bench/checks.mjs [--rounds N]        (OWNBASE_CLI=path runs another build of the CLI)
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = process.env.OWNBASE_CLI ?? join(ROOT, 'dist/cli.js');
const EXAMPLE = join(ROOT, 'examples/bookworm-slim.ownbase.yaml');
const CACHE = '/var/cache/ownbase-bench/checks';
const TAG = 'ownbase-bench-checks/bookworm-slim:1';
const argRounds = process.argv.indexOf('--rounds');
const ROUNDS = argRounds > 0 ? Number(process.argv[argRounds + 1]) : 3;

if (process.getuid?.() !== 0) { console.error('bench/checks.mjs: needs root (the build)'); process.exit(2); }

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

function timed(args, okCodes = [0]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = (performance.now() - t0) / 1000;
  if (!okCodes.includes(r.status)) throw new Error(`ownbase ${args.join(' ')} failed (${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return { s, stdout: r.stdout };
}

mkdirSync(CACHE, { recursive: true });
// --force: an unchanged rebuild is otherwise "up to date" and runs nothing, which is not a warm build.
const build = () => timed(['build', EXAMPLE, '--tag', TAG, '--cache-dir', CACHE, '--no-checks', '--force']);
try {
  console.log(`warm-up build (fills ${CACHE}): ${build().s.toFixed(1)} s`);
  const builds = [];
  const tests = [];
  const perCheck = new Map();
  for (let i = 0; i < ROUNDS; i++) {
    builds.push(build().s);
    const t = timed(['test', EXAMPLE, '--tag', TAG, '--format', 'json']);
    tests.push(t.s);
    for (const r of JSON.parse(t.stdout).results) perCheck.set(r.id, [...(perCheck.get(r.id) ?? []), r.durationMs / 1000]);
    console.log(`round ${i + 1}: warm build ${builds.at(-1).toFixed(1)} s, checks ${tests.at(-1).toFixed(1)} s`);
  }
  const b = median(builds);
  const c = median(tests);
  console.log(`\nmedian of ${ROUNDS}: warm build ${b.toFixed(1)} s, ownbase test ${c.toFixed(1)} s (container start and removal included)`);
  console.log(`checks / warm build: ${(100 * c / b).toFixed(1)}% (target ≤ 5%)`);
  // The built-in checks run as one exec into the container: the first one's time is all of theirs.
  const builtins = [...perCheck].filter(([id]) => id.startsWith('builtins.')).reduce((sum, [, xs]) => sum + median(xs), 0);
  console.log(`built-in checks / warm build: ${(100 * builtins / b).toFixed(1)}% (${builtins.toFixed(2)} s, target ≤ 5%)`);
  for (const [id, xs] of perCheck) console.log(`  ${id.padEnd(20)} ${median(xs).toFixed(2)} s`);
} finally {
  spawnSync('docker', ['image', 'rm', '-f', TAG], { stdio: 'ignore' });
}
