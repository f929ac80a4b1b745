// `ownbase needs` on every ELF file of a bookworm rootfs (one run, --format json) against `ldd` on the same files
// in the same rootfs (chroot, one run), interleaved rounds; medians, the ratio (target, issue 9: ≤ 0.5×) and how
// often the two agree. Then the minimal images of examples/hello, built with gcc and `ownbase needs --image`,
// and their sizes as the engine reports them (targets: dynamic ≤ 2.2 MB, static ≤ 0.8 MB). Prints; never fails
// on a missed target. The rootfs is the inspect bench's (mmdebstrap --variant=essential bookworm, made when absent).
//
//   sudo node bench/needs.mjs [--rounds N] [--rootfs DIR]     (OWNBASE_CLI=path runs another build of the CLI)
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdtempSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = process.env.OWNBASE_CLI ?? join(ROOT, 'dist/cli.js');
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const ROUNDS = Number(arg('--rounds') ?? 5);
const ROOTFS = arg('--rootfs') ?? process.env.OWNBASE_TEST_INSPECT_ROOTFS ?? '/var/tmp/ownbase-test-inspect-rootfs';

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
function run(file, args, opts = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${file} ${args.slice(0, 4).join(' ')} … failed (${r.status}):\n${(r.stderr ?? '').slice(-2000)}`);
  return r.stdout;
}
function timed(file, args, opts) {
  const t0 = performance.now();
  const out = run(file, args, opts);
  return { s: (performance.now() - t0) / 1000, out };
}

/** Every regular file of the rootfs that starts with the ELF magic, as a path in the rootfs. */
function elfFiles(dir) {
  const out = [];
  const head = Buffer.alloc(4);
  const walk = (rel) => {
    for (const name of readdirSync(join(dir, rel))) {
      const p = `${rel}/${name}`;
      if (/^\/(proc|sys|dev)$/.test(p)) continue;
      const st = lstatSync(join(dir, p));
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size >= 64) {
        const fd = openSync(join(dir, p), 'r');
        try { if (readSync(fd, head, 0, 4, 0) === 4 && head.toString('latin1') === '\x7fELF') out.push(p); } finally { closeSync(fd); }
      }
    }
  };
  walk('');
  return out.sort();
}

if (!existsSync(join(ROOTFS, 'var/lib/dpkg/status'))) {
  console.log(`making ${ROOTFS} (mmdebstrap --variant=essential bookworm) …`);
  run('mmdebstrap', ['--variant=essential', '--include=ca-certificates', 'bookworm', ROOTFS], { stdio: 'inherit' });
}
const files = elfFiles(ROOTFS);
const ours = () => timed(process.execPath, [CLI, 'needs', ...files, '--root', ROOTFS, '--format', 'json']);
const ldd = () => timed('chroot', [ROOTFS, '/usr/bin/ldd', ...files]);
// One unmeasured round of each warms the page cache.
ours();
ldd();
const a = [];
const b = [];
let report;
let lddOut;
for (let i = 0; i < ROUNDS; i++) {
  const r = ours();
  a.push(r.s);
  report = JSON.parse(r.out);
  const l = ldd();
  b.push(l.s);
  lddOut = l.out;
}
// ldd prints "FILE:" then "\tsoname => path (addr)" lines; compare the sonames it found with ours.
const lddOf = new Map();
let cur;
for (const line of lddOut.split('\n')) {
  if (/^\S.*:$/.test(line)) { cur = line.slice(0, -1); lddOf.set(cur, []); continue; }
  const m = /^\s+(\S+) => \//.exec(line);
  if (m && cur) lddOf.get(cur).push(m[1]);
}
let agree = 0;
let compared = 0;
const differ = [];
for (const bin of report.binaries) {
  const theirs = lddOf.get(bin.path);
  if (!theirs || theirs.length === 0) continue;
  compared++;
  const mine = new Set(bin.needed.map((n) => n.soname));
  const lacking = theirs.filter((s) => !mine.has(s));
  if (lacking.length === 0) agree++; else differ.push(`${bin.path}: ldd also finds ${lacking.join(', ')}`);
}
const o = median(a);
const l = median(b);
console.log(`rootfs ${ROOTFS}: ${files.length} ELF files, ${report.packages.length} packages drawn from`);
console.log(`ownbase needs (all files, one run)  median ${o.toFixed(2)} s  (${a.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`ldd in chroot (all files, one run)  median ${l.toFixed(2)} s  (${b.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`ratio ${(o / l).toFixed(2)}× (target ≤ 0.5×)`);
console.log(`agreement: ${agree} of ${compared} files whose libraries ldd lists: every one ldd finds, ownbase finds${differ.length ? `\n  ${differ.slice(0, 10).join('\n  ')}` : ''}`);

// The minimal images of examples/hello.
const work = mkdtempSync(join(tmpdir(), 'ownbase-bench-needs-'));
const tag = (k) => `ownbase-bench-needs-${k}:${randomBytes(4).toString('hex')}`;
const made = [];
try {
  for (const [kind, flags, target] of [['dynamic', [], 2.2], ['static', ['-static'], 0.8]]) {
    const bin = join(work, `hello-${kind}`);
    run('gcc', [...flags, '-O2', '-o', bin, join(ROOT, 'examples/hello/hello.c')]);
    const t = tag(kind);
    made.push(t);
    run(process.execPath, [CLI, 'needs', bin, '--image', t, '--smoke']);
    const size = Number(run('docker', ['image', 'inspect', '-f', '{{.Size}}', t]).trim());
    const shown = run('docker', ['images', '--format', '{{.Size}}', t]).trim();
    console.log(`${kind} hello image: ${(size / 1e6).toFixed(2)} MB (docker images: ${shown}; target ≤ ${target} MB)`);
  }
} finally {
  if (made.length) spawnSync('docker', ['rmi', '-f', ...made], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
}
