// `ownbase inspect IMAGE --format json` against `docker save IMAGE > /dev/null` (the bytes it has to read
// anyway), interleaved rounds on the same machine; medians and the ratio printed. Target (issue 8): ≤ 1.2×.
// The image is an mmdebstrap --variant=essential bookworm rootfs (the integration test's, reused when present)
// imported under a unique tag and removed afterwards. Prints; never fails on a missed target.
//
//   sudo node bench/inspect.mjs [--rounds N] [--image REF]     (OWNBASE_CLI=path runs another build of the CLI)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = process.env.OWNBASE_CLI ?? join(ROOT, 'dist/cli.js');
const ROOTFS = process.env.OWNBASE_TEST_INSPECT_ROOTFS ?? '/var/tmp/ownbase-test-inspect-rootfs';
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const ROUNDS = Number(arg('--rounds') ?? 5);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
function run(file, args, opts = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${file} ${args.join(' ')} failed (${r.status}):\n${(r.stderr ?? '').slice(-2000)}`);
  return r.stdout;
}
function timed(file, args, opts) {
  const t0 = performance.now();
  const out = run(file, args, opts);
  return { s: (performance.now() - t0) / 1000, out };
}

let image = arg('--image');
let made;
if (image === undefined) {
  if (!existsSync(join(ROOTFS, 'var/lib/dpkg/status'))) {
    console.log(`making ${ROOTFS} (mmdebstrap --variant=essential bookworm) …`);
    run('mmdebstrap', ['--variant=essential', '--include=ca-certificates', 'bookworm', ROOTFS], { stdio: 'inherit' });
  }
  image = made = `ownbase-test-inspect-bench-${randomBytes(4).toString('hex')}:1`;
  run('sh', ['-c', 'tar -C "$1" -c . | docker import - "$2" >/dev/null', 'sh', ROOTFS, image]);
}
try {
  // One unmeasured round of each warms the page cache and the engine.
  run('sh', ['-c', 'docker save "$1" > /dev/null', 'sh', image]);
  run(process.execPath, [CLI, 'inspect', image, '--format', 'json']);
  const save = [];
  const inspect = [];
  let report;
  for (let i = 0; i < ROUNDS; i++) {
    save.push(timed('sh', ['-c', 'docker save "$1" > /dev/null', 'sh', image]).s);
    const r = timed(process.execPath, [CLI, 'inspect', image, '--format', 'json']);
    inspect.push(r.s);
    report = JSON.parse(r.out);
  }
  const s = median(save);
  const o = median(inspect);
  console.log(`image ${image}: ${report.packages.length} packages, ${(report.totals.bytes / 1e6).toFixed(1)} MB, gzip -6 ${(report.totals.compressedBytes / 1e6).toFixed(1)} MB`);
  console.log(`docker save > /dev/null  median ${s.toFixed(2)} s  (${save.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`ownbase inspect          median ${o.toFixed(2)} s  (${inspect.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`ratio ${(o / s).toFixed(2)}× (target ≤ 1.2×)`);
} finally {
  if (made) spawnSync('docker', ['rmi', '-f', made], { stdio: 'ignore' });
}
