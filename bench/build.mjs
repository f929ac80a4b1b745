// `ownbase build` of examples/bookworm-slim.ownbase.yaml, cold (empty package cache) and warm (the cache
// the cold run filled), against the raw way: `debootstrap --variant=minbase bookworm DIR` then
// `tar -C DIR -c . | docker import -`. Interleaved rounds on the same machine; medians and ratios
// printed with the image sizes. Targets (issue 3): cold ≤ 0.5×, warm ≤ 0.3×, image ≤ 67 MB,
// gzip-6 layer ≤ 25 MB. Issue 10: the same for a recipe naming no builder (mmdebstrap when installed), and a
// no-op rebuild of unchanged inputs (≤ 0.05×; every other build here passes --force) and a config-only change (one env
// value: the rootfs cache's hit, ≤ 0.15×). The rootfs cache keys on the package inputs and the archive's state, not on
// the package cache, so a warm --force rebuild minutes after the cold one restores the cold build's rootfs: the recipe
// without builder's "warm" is that, and its "warm, bootstrap" the same build with --no-rootfs-cache, mmdebstrap installing
// every package from the cached .debs (what a build of a package set never built before costs; the example's warm builds
// below are such too). Prints; never fails on a missed target. Builds apply the release's updates and
// security suites (issue 11): mmdebstrap installs them in its one run (no upgrade step: the "upgrade step" figures read
// NaN), and a warm build of the same recipe with `updates: false` shows what the updates add end to end.
//
//   sudo node bench/build.mjs [--rounds N] [--quick]        (OWNBASE_CLI=path runs another build of the CLI)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, createReadStream, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createGzip } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = process.env.OWNBASE_CLI ?? join(ROOT, 'dist/cli.js');
const EXAMPLE = join(ROOT, 'examples/bookworm-slim.ownbase.yaml');
// The example without its `packages:` line: what the raw baseline and the official debian:bookworm-slim have
// (neither installs ca-certificates), so that sizes and times compare like with like.
const BARE = join(mkdtempSync('/var/tmp/ownbase-bench-recipe-'), 'bookworm-bare.ownbase.yaml');
writeFileSync(BARE, readFileSync(EXAMPLE, 'utf8').split('\n').filter((l) => !/^packages:/.test(l)).join('\n'));
// The example as the release was published (no upgrade step): what the updates cost, end to end.
const NOUPDATES = join(mkdtempSync('/var/tmp/ownbase-bench-recipe-'), 'bookworm-noupdates.ownbase.yaml');
writeFileSync(NOUPDATES, `${readFileSync(EXAMPLE, 'utf8').trimEnd()}\nupdates: false\n`);
// The example without its `builder:` line: what a user writes who does not know the flag (issue 10).
const NOBUILDER = join(mkdtempSync('/var/tmp/ownbase-bench-recipe-'), 'bookworm-nobuilder.ownbase.yaml');
writeFileSync(NOBUILDER, readFileSync(EXAMPLE, 'utf8').split('\n').filter((l) => !/^builder:/.test(l)).join('\n'));
// Raw debootstrap's own package set: no builder, no packages and `updates: false` (raw installs neither
// ca-certificates nor the updates and security suites' versions): the cold build compared like with like.
const LIKE = join(mkdtempSync('/var/tmp/ownbase-bench-recipe-'), 'bookworm-like.ownbase.yaml');
writeFileSync(LIKE, ['image: owned/bookworm-like:12', 'distro: debian', 'suite: bookworm', 'arch: amd64', 'variant: minbase',
  'components: [main]', 'updates: false', 'config:', '  cmd: ["/bin/bash"]', ''].join('\n'));
// The recipe without builder with another env value: only the config changed, so the rootfs cache has its rootfs.
const configOnly = (i) => {
  const f = join(mkdtempSync('/var/tmp/ownbase-bench-recipe-'), 'bookworm-config.ownbase.yaml');
  writeFileSync(f, readFileSync(NOBUILDER, 'utf8').replace(/^ {2}env: \{ LANG: C\.UTF-8 \}$/m, `  env: { LANG: C.UTF-8, BENCH_ROUND: "${i}" }`));
  return f;
};
const argRounds = process.argv.indexOf('--rounds');
const ROUNDS = argRounds > 0 ? Number(process.argv[argRounds + 1]) : 3;
// --quick: only the raw baseline and the recipe without builder (cold, warm, no-op, config only): the four targets.
const QUICK = process.argv.includes('--quick');
const QUICK_CASES = new Set(['raw', 'noBuilderCold', 'likeCold', 'noBuilderWarm', 'noBuilderBootstrap', 'noop', 'configOnly']);

if (process.getuid?.() !== 0) { console.error('bench/build.mjs: needs root (debootstrap, chroot, mounts)'); process.exit(2); }

const seconds = (t0) => Number(((performance.now() - t0) / 1000).toFixed(2));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;

function run(file, args, opts = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.status}):\n${(r.stdout ?? '').slice(-2000)}\n${(r.stderr ?? '').slice(-2000)}`);
  return r.stdout;
}

function baseline(i) {
  const dir = mkdtempSync('/var/tmp/ownbase-bench-raw-');
  const t0 = performance.now();
  run('debootstrap', ['--variant=minbase', 'bookworm', dir]);
  const bootstrap = seconds(t0);
  const t1 = performance.now();
  run('sh', ['-c', 'tar -C "$1" -c . | docker import - "$2" >/dev/null', 'sh', dir, `ownbase-bench/raw:${i}`]);
  const s = seconds(t0);
  rmSync(dir, { recursive: true, force: true });
  return { s, bootstrap, import: seconds(t1) };
}

function ownbase(tag, cacheDir, recipe = EXAMPLE, force = true, rootfsCache = 'default') {
  const t0 = performance.now();
  const out = run(process.execPath, [CLI, 'build', recipe, '--tag', tag, '--cache-dir', cacheDir, ...(force ? ['--force'] : []),
    ...(rootfsCache === 'off' ? ['--no-rootfs-cache'] : [])], { cwd: '/var/tmp' });
  const s = seconds(t0);
  if (!force) {
    if (!/ is up to date \(/.test(out)) throw new Error(`not up to date:\n${out.slice(-2000)}`);
    return { s, gzipReported: NaN, upgrade: NaN, applied: NaN };
  }
  const m = /built \S+ in [\d.]+ s: [\d.]+ MB \(docker images\), ([\d.]+) MB gzip-6 layer/.exec(out);
  if (!m) throw new Error(`no result line in:\n${out.slice(-2000)}`);
  // The upgrade step's duration as the CLI prints it (NaN when the output format changes or there is none).
  const up = /^==> \[\d+\/\d+\] upgrade from [^\n]*\n[^]*?^<== exit 0 \(([\d.]+) s\)$/m.exec(out);
  const applied = /^updates: (\d+) packages? upgraded/m.exec(out);
  if (rootfsCache === 'hit' && !/^rootfs from cache \(key /m.test(out)) throw new Error(`not from the rootfs cache:\n${out.slice(-2000)}`);
  if (process.env.BENCH_STEPS) for (const m of out.matchAll(/^==> \[\d+\/\d+\] (.*)\n[^]*?^<== exit 0 \(([\d.]+) s\)$/gm)) console.log(`    ${tag}: ${m[2]} s ${m[1].slice(0, 70)}`);
  // The bootstrap and import steps' durations as the CLI prints them (NaN when a build has none).
  const step = (re) => { for (const x of out.matchAll(/^==> \[\d+\/\d+\] (.*)\n[^]*?^<== exit 0 \(([\d.]+) s\)$/gm)) if (re.test(x[1])) return Number(x[2]); return NaN; };
  return { s, gzipReported: Number(m[1]) * 1e6, upgrade: up ? Number(up[1]) : NaN, applied: applied ? Number(applied[1]) : NaN, bootstrap: step(/^bootstrap /), import: step(/^import /) };
}

const imageSize = (ref) => JSON.parse(run('docker', ['image', 'inspect', ref]))[0].Size;

/** gzip -6 of the image's one layer, as `docker save` gives it (independent of ownbase's own count). */
async function savedLayerGzip(ref) {
  const dir = mkdtempSync('/var/tmp/ownbase-bench-save-');
  try {
    run('sh', ['-c', 'docker save "$1" | tar -C "$2" -x', 'sh', ref, dir]);
    const layers = readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('layer.tar') || /^blobs\/sha256\/[0-9a-f]{64}$/.test(f))
      .map((f) => join(dir, f)).filter((f) => statSync(f).isFile()).sort((a, b) => statSync(b).size - statSync(a).size);
    const gnu = Number(execFileSync('sh', ['-c', 'gzip -6 -c < "$1" | wc -c', 'sh', layers[0]], { encoding: 'utf8' }).trim());
    let zlib = 0;
    await new Promise((res, rej) => createReadStream(layers[0]).pipe(createGzip({ level: 6 })).on('data', (c) => { zlib += c.length; }).on('end', res).on('error', rej));
    return { tar: statSync(layers[0]).size, gnu, zlib };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = [];
for (let i = 1; i <= ROUNDS; i++) {
  const cache = mkdtempSync('/var/tmp/ownbase-bench-cache-');
  const coldCache = mkdtempSync('/var/tmp/ownbase-bench-cache-');
  const likeCache = mkdtempSync('/var/tmp/ownbase-bench-cache-');
  // Rotate the order so no contender always runs first (page cache, mirror warmth).
  const order = [['raw', () => baseline(i)], ['cold', () => ownbase(`ownbase-bench/cold:${i}`, cache)], ['warm', () => ownbase(`ownbase-bench/warm:${i}`, cache, EXAMPLE, true, 'off')],
    ['bareWarm', () => ownbase(`ownbase-bench/bare:${i}`, cache, BARE)], ['warmNoUpdates', () => ownbase(`ownbase-bench/noupdates:${i}`, cache, NOUPDATES)],
    ['noBuilderCold', () => ownbase(`ownbase-bench/nobuilder-cold:${i}`, coldCache, NOBUILDER)],
    ['likeCold', () => ownbase(`ownbase-bench/like-cold:${i}`, likeCache, LIKE)],
    // Its own cache: the builds of the example above keep a rootfs this one would start from (same packages, same builder).
    // The cold build kept its rootfs: this --force rebuild restores it.
    ['noBuilderWarm', () => ownbase(`ownbase-bench/nobuilder-warm:${i}`, coldCache, NOBUILDER, true, 'hit')],
    // The same without the rootfs cache: mmdebstrap installs every package, from the .debs the cold build cached.
    ['noBuilderBootstrap', () => ownbase(`ownbase-bench/nobuilder:${i}`, coldCache, NOBUILDER, true, 'off')],
    ['noop', () => ownbase(`ownbase-bench/nobuilder:${i}`, coldCache, NOBUILDER, false)],
    // One env value changed: the warm build before kept its rootfs (before slim) in the rootfs cache; this one starts from it.
    ['configOnly', () => ownbase(`ownbase-bench/config:${i}`, coldCache, configOnly(i), true, 'hit')]].filter(([name]) => !QUICK || QUICK_CASES.has(name));
  // The cold build must come before the warm ones: it fills the cache; the no-op follows the build it repeats.
  const rot = i % 2 === 0 ? [...order.slice(1), order[0]] : order;
  const row = { round: i };
  for (const [name, fn] of rot) {
    const r = fn();
    row[name] = r.s;
    Object.assign(row, { [`${name}Gzip`]: r.gzipReported, [`${name}Upgrade`]: r.upgrade, [`${name}Applied`]: r.applied, [`${name}Bootstrap`]: r.bootstrap, [`${name}Import`]: r.import });
  }
  rows.push(row);
  console.log(`round ${i}: raw ${row.raw} s, ownbase cold ${row.cold} s (upgrade step ${row.coldUpgrade} s, ${row.coldApplied} packages), `
    + `warm ${row.warm} s (upgrade step ${row.warmUpgrade} s), warm with updates: false ${row.warmNoUpdates} s, warm without packages ${row.bareWarm} s, `
    + `no builder: cold ${row.noBuilderCold} s (like for like ${row.likeCold} s), warm ${row.noBuilderWarm} s, warm bootstrap ${row.noBuilderBootstrap} s, no-op ${row.noop} s, config only ${row.configOnly} s, load ${readLoad()}`);
  rmSync(cache, { recursive: true, force: true });
  rmSync(coldCache, { recursive: true, force: true });
  rmSync(likeCache, { recursive: true, force: true });
}

function readLoad() { try { return execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' '); } catch { return '?'; } }

const raw = median(rows.map((r) => r.raw));
const cold = median(rows.map((r) => r.cold));
const warm = median(rows.map((r) => r.warm));
const bareWarm = median(rows.map((r) => r.bareWarm));
const warmNoUpdates = median(rows.map((r) => r.warmNoUpdates));
const noBuilderCold = median(rows.map((r) => r.noBuilderCold));
const likeCold = median(rows.map((r) => r.likeCold));
// Where the time goes on each side: raw's debootstrap and its tar | docker import; the like-for-like build's
// bootstrap step (mmdebstrap), its import step, and the rest (lint, planning, slim, clean-up, checks).
const parts = (name) => { const b = median(rows.map((r) => r[`${name}Bootstrap`])); const im = median(rows.map((r) => r[`${name}Import`])); return { b, im, rest: median(rows.map((r) => r[name])) - b - im }; };
const noBuilderWarm = median(rows.map((r) => r.noBuilderWarm));
const noBuilderBootstrap = median(rows.map((r) => r.noBuilderBootstrap));
const noop = median(rows.map((r) => r.noop));
const configOnlyS = median(rows.map((r) => r.configOnly));
function removeBenchImages() {
  const tags = run('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', 'ownbase-bench/*']).split('\n').filter(Boolean);
  if (tags.length) run('docker', ['rmi', '-f', ...tags]);
}
if (QUICK) {
  console.log(`
medians of ${ROUNDS} interleaved rounds (machine: ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores), the example without builder:
  raw debootstrap + tar | docker import   ${raw.toFixed(1)} s
  ownbase build, cold cache               ${noBuilderCold.toFixed(1)} s   ${(noBuilderCold / raw).toFixed(2)}×   (target ≤ 0.5×)
  the same, like for like                 ${likeCold.toFixed(1)} s   ${(likeCold / raw).toFixed(2)}×   (raw's package set: no packages, updates: false)
    raw: debootstrap ${parts('raw').b.toFixed(1)} s, tar | docker import ${parts('raw').im.toFixed(1)} s; like for like: bootstrap (mmdebstrap) ${parts('likeCold').b.toFixed(1)} s, import ${parts('likeCold').im.toFixed(1)} s, the rest ${parts('likeCold').rest.toFixed(1)} s
  ownbase build, warm cache               ${noBuilderWarm.toFixed(1)} s   ${(noBuilderWarm / raw).toFixed(2)}×   (target ≤ 0.3×; --force, archive unchanged: rootfs cache)
  ownbase build, warm cache, bootstrap    ${noBuilderBootstrap.toFixed(1)} s   ${(noBuilderBootstrap / raw).toFixed(2)}×   (target ≤ 0.3×; --no-rootfs-cache: every package installed from the cached .debs)
  ownbase build, unchanged (up to date)   ${noop.toFixed(2)} s   ${(noop / raw).toFixed(3)}×   (target ≤ 0.05×)
  ownbase build, one env value changed    ${configOnlyS.toFixed(1)} s   ${(configOnlyS / raw).toFixed(2)}×   (target ≤ 0.15×; rootfs cache)`);
  removeBenchImages();
  process.exit(0);
}
const coldUpgrade = median(rows.map((r) => r.coldUpgrade));
const warmUpgrade = median(rows.map((r) => r.warmUpgrade));
const size = imageSize(`ownbase-bench/warm:${ROUNDS}`);
const bareSize = imageSize(`ownbase-bench/bare:${ROUNDS}`);
const bareSaved = await savedLayerGzip(`ownbase-bench/bare:${ROUNDS}`);
const rawSize = imageSize(`ownbase-bench/raw:${ROUNDS}`);
const saved = await savedLayerGzip(`ownbase-bench/warm:${ROUNDS}`);

console.log(`
medians of ${ROUNDS} interleaved rounds (machine: ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores)
  raw debootstrap + tar | docker import   ${raw.toFixed(1)} s
  ownbase build, cold cache               ${cold.toFixed(1)} s   ${(cold / raw).toFixed(2)}×   (target ≤ 0.5×)
  ownbase build, warm cache               ${warm.toFixed(1)} s   ${(warm / raw).toFixed(2)}×   (target ≤ 0.3×; --no-rootfs-cache: every package installed from the cached .debs)
the example without builder: (mmdebstrap, as it is installed here):
  ownbase build, cold cache               ${noBuilderCold.toFixed(1)} s   ${(noBuilderCold / raw).toFixed(2)}×   (target ≤ 0.5×)
  the same, like for like                 ${likeCold.toFixed(1)} s   ${(likeCold / raw).toFixed(2)}×   (raw's package set: no packages, updates: false)
    raw: debootstrap ${parts('raw').b.toFixed(1)} s, tar | docker import ${parts('raw').im.toFixed(1)} s; like for like: bootstrap (mmdebstrap) ${parts('likeCold').b.toFixed(1)} s, import ${parts('likeCold').im.toFixed(1)} s, the rest ${parts('likeCold').rest.toFixed(1)} s
  ownbase build, warm cache               ${noBuilderWarm.toFixed(1)} s   ${(noBuilderWarm / raw).toFixed(2)}×   (target ≤ 0.3×; --force, archive unchanged: rootfs cache)
  ownbase build, warm cache, bootstrap    ${noBuilderBootstrap.toFixed(1)} s   ${(noBuilderBootstrap / raw).toFixed(2)}×   (target ≤ 0.3×; --no-rootfs-cache: every package installed from the cached .debs)
  ownbase build, unchanged (up to date)   ${noop.toFixed(2)} s   ${(noop / raw).toFixed(3)}×   (target ≤ 0.05×)
  ownbase build, one env value changed    ${configOnlyS.toFixed(1)} s   ${(configOnlyS / raw).toFixed(2)}×   (target ≤ 0.15×; rootfs cache)
updates on (bookworm-updates, bookworm-security; ${rows.at(-1).coldApplied} packages upgraded):
  upgrade step, cold build                ${coldUpgrade.toFixed(1)} s
  upgrade step, warm build                ${warmUpgrade.toFixed(1)} s
  warm build with updates: false          ${warmNoUpdates.toFixed(1)} s   (updates add ${(warm - warmNoUpdates).toFixed(1)} s to a warm build)
image (docker images)                      ${mb(size)}   (target ≤ 67 MB; raw import ${mb(rawSize)})
layer gzip-6, as ownbase reports it        ${mb(rows.at(-1).warmGzip)}
layer gzip-6 of docker save, GNU gzip      ${mb(saved.gnu)}   (target ≤ 25 MB; zlib ${mb(saved.zlib)}, tar ${mb(saved.tar)})

the same recipe without its packages (ca-certificates), like the raw baseline and the official
debian:bookworm-slim (74.83 MB, 28.2 MB compressed), which install none either:
  ownbase build, warm cache               ${bareWarm.toFixed(1)} s   ${(bareWarm / raw).toFixed(2)}×   (target ≤ 0.3×)
  image (docker images)                   ${mb(bareSize)}   (target ≤ 67 MB)
  layer gzip-6 of docker save, GNU gzip   ${mb(bareSaved.gnu)}   (target ≤ 25 MB; zlib ${mb(bareSaved.zlib)})`);

removeBenchImages();
