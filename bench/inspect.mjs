// `ownbase inspect IMAGE --format json` against `docker save IMAGE > /dev/null` (the bytes it has to read
// anyway), interleaved rounds on the same machine; medians and the ratio printed. Target (issue 8): ≤ 1.2×.
// Inspect reads the layers from the engine's storage where it can (root, a local overlay2 engine); the same
// inspect with --via-save (docker save's stream, what it reads elsewhere) is timed beside it.
// The image is an mmdebstrap --variant=essential bookworm rootfs (the integration test's, reused when present)
// imported under a unique tag and removed afterwards. Prints; never fails on a missed target.
// Besides wall time, the CPU each side costs (the engine's, from /proc, plus the client's, from /usr/bin/time
// where installed): on a 2-core machine that other work loads, wall time follows the CPU shares a process
// gets, and the CPU ratio says what the wall ratio would be on an otherwise quiet machine at full contention.
//
//   sudo node bench/inspect.mjs [--rounds N] [--image REF] [--baseline CLI]
// OWNBASE_CLI=path runs another build of the CLI; --baseline interleaves a second build (e.g. main's) too.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = process.env.OWNBASE_CLI ?? join(ROOT, 'dist/cli.js');
const ROOTFS = process.env.OWNBASE_TEST_INSPECT_ROOTFS ?? '/var/tmp/ownbase-test-inspect-rootfs';
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const ROUNDS = Number(arg('--rounds') ?? 5);
const BASELINE = arg('--baseline');

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
function run(file, args, opts = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${file} ${args.join(' ')} failed (${r.status}):\n${(r.stderr ?? '').slice(-2000)}`);
  return r.stdout;
}
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const HZ = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const dockerd = spawnSync('pidof', ['dockerd'], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0];
/** CPU seconds the engine has used so far (utime + stime), or undefined where /proc does not say. */
function engineCpu() {
  try { const f = readFileSync(`/proc/${dockerd}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / HZ; } catch { return undefined; }
}
function timed(file, args, opts) {
  const rusage = join(tmpdir(), `ownbase-bench-time-${process.pid}`);
  const e0 = engineCpu();
  const t0 = performance.now();
  const out = TIME ? run(TIME, ['-f', '%U %S', '-o', rusage, file, ...args], opts) : run(file, args, opts);
  const s = (performance.now() - t0) / 1000;
  const e1 = engineCpu();
  let cpu;
  if (TIME && e0 !== undefined && e1 !== undefined) {
    const [u, k] = readFileSync(rusage, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
    cpu = u + k + (e1 - e0);
  }
  rmSync(rusage, { force: true });
  return { s, out, cpu };
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
  const saveCpu = [];
  const inspectCpu = [];
  const base = [];
  const baseCpu = [];
  const viaSave = [];
  const viaSaveCpu = [];
  let report;
  for (let i = 0; i < ROUNDS; i++) {
    const d = timed('sh', ['-c', 'docker save "$1" > /dev/null', 'sh', image]);
    save.push(d.s);
    if (d.cpu !== undefined) saveCpu.push(d.cpu);
    const r = timed(process.execPath, [CLI, 'inspect', image, '--format', 'json']);
    inspect.push(r.s);
    if (r.cpu !== undefined) inspectCpu.push(r.cpu);
    report = JSON.parse(r.out);
    const v = timed(process.execPath, [CLI, 'inspect', image, '--format', 'json', '--via-save']);
    viaSave.push(v.s);
    if (v.cpu !== undefined) viaSaveCpu.push(v.cpu);
    if (v.out !== r.out) throw new Error('inspect --via-save printed another report than inspect');
    if (BASELINE) { const b = timed(process.execPath, [BASELINE, 'inspect', image, '--format', 'json']); base.push(b.s); if (b.cpu !== undefined) baseCpu.push(b.cpu); }
  }
  const s = median(save);
  const o = median(inspect);
  console.log(`image ${image}: ${report.packages.length} packages, ${(report.totals.bytes / 1e6).toFixed(1)} MB, gzip -6 ${(report.totals.compressedBytes / 1e6).toFixed(1)} MB`);
  console.log(`docker save > /dev/null  median ${s.toFixed(2)} s  (${save.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`ownbase inspect          median ${o.toFixed(2)} s  (${inspect.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`ratio ${(o / s).toFixed(2)}× (target ≤ 1.2×)`);
  console.log(`ownbase inspect --via-save  median ${median(viaSave).toFixed(2)} s  (${viaSave.map((x) => x.toFixed(2)).join(', ')}), ratio ${(median(viaSave) / s).toFixed(2)}×`);
  if (BASELINE) console.log(`baseline ${BASELINE}  median ${median(base).toFixed(2)} s  (${base.map((x) => x.toFixed(2)).join(', ')}), ratio ${(median(base) / s).toFixed(2)}×${baseCpu.length > 0 ? `, CPU ${median(baseCpu).toFixed(2)} s` : ''}`);
  if (saveCpu.length > 0 && inspectCpu.length > 0) {
    const sc = median(saveCpu);
    const oc = median(inspectCpu);
    console.log(`CPU, engine included: docker save ${sc.toFixed(2)} s, ownbase inspect ${oc.toFixed(2)} s, ratio ${(oc / sc).toFixed(2)}×${viaSaveCpu.length > 0 ? `; --via-save ${median(viaSaveCpu).toFixed(2)} s, ${(median(viaSaveCpu) / sc).toFixed(2)}×` : ''}`);
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`load average ${load} on ${(await import('node:os')).availableParallelism()} cores`);
} finally {
  if (made) spawnSync('docker', ['rmi', '-f', made], { stdio: 'ignore' });
}
