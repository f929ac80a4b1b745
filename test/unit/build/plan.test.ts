import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { planBuild, PlanError, checkRemovePattern, updatesApplied, updatesLabels, updatesSummary, type PlanOptions } from '../../../src/core/build/plan';
import { ARCHES, runsNatively } from '../../../src/core/kernel/arch';
import { LineIndex } from '../../../src/core/kernel/text';
import {
  CACHE_SAVE, CHECK_BINFMT, CHROOT_RUN, COUNT_UPDATES, FINALIZE, IMPORT, INSTALL, REMOVE, REMOVE_WORKDIR, SEED_CACHE, SLIM, UNMOUNT, UNSAFE_IO_OFF, UNSAFE_IO_ON, UPGRADE,
} from '../../../src/core/build/scripts';
import type { Plan } from '../../../src/core/build/types';
import { lintRecipe, loadRecipe } from '../../../src/core/recipe';
import type { Recipe } from '../../../src/core/recipe/types';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}
function example(name: string): Recipe {
  const { recipe, diagnostics } = loadRecipe(readFileSync(join(repoRoot(), 'examples', name), 'utf8'));
  assert.ok(recipe, `${name}: ${diagnostics.map((d) => d.message).join('; ')}`);
  return recipe;
}

const MIRROR = 'http://mirror.invalid/debian';
const SECURITY = 'http://security.invalid/debian-security';
const BASE: PlanOptions = { hostArch: 'amd64', workdir: '/dev/shm/ownbase-t', hostMirror: MIRROR, hostSecurityMirror: SECURITY, recipePath: 'examples/x.ownbase.yaml', recipeSha256: 'ab12' };
const R = '/dev/shm/ownbase-t/rootfs';
const COUNT = `${R}.updates-applied`;
const BOOKWORM_SOURCES = ['/etc/apt/sources.list.d/debian.sources', `Types: deb
URIs: ${MIRROR}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${SECURITY}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`];
const BOOKWORM_BUILD_SOURCES = `deb ${MIRROR} bookworm main\ndeb ${MIRROR} bookworm-updates main\ndeb ${SECURITY} bookworm-security main\n`;
/** The same, as mmdebstrap gets them: one argument a line. */
const BOOKWORM_BUILD_LINES = BOOKWORM_BUILD_SOURCES.split('\n').filter(Boolean);
const UNSHARE = ['unshare', '--mount', '--propagation', 'private'];
const PKG_ENV = ['env', 'DEBIAN_FRONTEND=noninteractive', 'NEEDRESTART_SUSPEND=1', 'LC_ALL=C.UTF-8'];
const ids = (p: Plan): string[] => p.steps.map((s) => s.id);
const step = (p: Plan, id: string) => { const s = p.steps.find((x) => x.id === id); assert.ok(s, `no step ${id}`); return s; };
const CHANGES_BOOKWORM = [
  '--change', 'CMD ["/bin/bash"]', '--change', 'ENV LANG="C.UTF-8"',
  '--change', 'LABEL "org.opencontainers.image.base.name"="debian:bookworm"',
  '--change', 'LABEL "dev.ownbase.recipe.path"="examples/x.ownbase.yaml"',
  '--change', 'LABEL "dev.ownbase.recipe.sha256"="ab12"',
];

test('bookworm-slim example, mmdebstrap, cold cache: one run installs the newest of the release, its updates and security suites', () => {
  const p = planBuild(example('bookworm-slim.ownbase.yaml'), { ...BASE, cache: { dir: '/var/cache/ownbase/debian/bookworm/amd64', warm: false } });
  assert.deepEqual(ids(p), ['prepare', 'bootstrap', 'count-updates', 'cache', 'source-date', 'slim', 'finalize', 'import'], 'no upgrade step: nothing is installed twice');
  assert.equal(p.rootfs, R);
  assert.equal(p.bootstrapTool, 'mmdebstrap');
  assert.equal(p.foreign, false);
  assert.deepEqual(step(p, 'prepare').argv, ['mkdir', '-p', '--', R]);
  assert.deepEqual(step(p, 'bootstrap').argv, [
    ...UNSHARE, ...PKG_ENV, 'mmdebstrap', '--variant=minbase', '--arch=amd64', '--components=main', '--include=ca-certificates,usr-is-merged',
    '--setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh', `--setup-hook=${UNSAFE_IO_ON}`, `--customize-hook=${UNSAFE_IO_OFF}`,
    '--skip=download/empty', '--skip=essential/unlink', '--skip=cleanup/apt', 'bookworm', R, ...BOOKWORM_BUILD_LINES,
  ]);
  assert.equal(step(p, 'bootstrap').title, 'bootstrap debian bookworm amd64 with bookworm-updates and bookworm-security (mmdebstrap)');
  assert.deepEqual(step(p, 'count-updates').argv, ['sh', '-c', COUNT_UPDATES, 'sh', R, COUNT, 'bookworm', 'main']);
  assert.deepEqual(step(p, 'cache').argv, ['sh', '-c', CACHE_SAVE, 'sh', R, '/var/cache/ownbase/debian/bookworm/amd64', 'bookworm', 'amd64', 'minbase']);
  assert.deepEqual(step(p, 'slim').argv, ['chroot', R, '/bin/sh', '-c', SLIM, 'sh', 'ca-certificates'], 'the recipe\'s packages are kept');
  assert.deepEqual(step(p, 'finalize').argv, ['sh', '-c', FINALIZE, 'sh', R, '', '', ...BOOKWORM_SOURCES]);
  assert.deepEqual(step(p, 'import').argv, ['sh', '-c', IMPORT, 'sh', R, 'owned/bookworm-slim:12', COUNT, ...CHANGES_BOOKWORM]);
  assert.deepEqual(p.updates, { suites: ['bookworm-updates', 'bookworm-security'], securityMirror: SECURITY, countFile: COUNT });
  assert.deepEqual(p.warnings, []);
  assert.equal(step(p, 'import').inProcess, 'import');
  assert.equal(step(p, 'import').keepWorkOnFailure, true);
  assert.deepEqual(step(p, 'prepare').cleanup?.map((c) => [c.id, c.argv, c.when]), [['remove-workdir', ['sh', '-c', REMOVE_WORKDIR, 'sh', '/dev/shm/ownbase-t'], 'unless-kept']]);
  assert.deepEqual(step(p, 'bootstrap').cleanup?.map((c) => [c.id, c.argv]), [['unmount', ['sh', '-c', UNMOUNT, 'sh', R]]]);
  assert.deepEqual(p.image, {
    tag: 'owned/bookworm-slim:12', arch: 'amd64', config: { cmd: ['/bin/bash'], env: { LANG: 'C.UTF-8' } },
    labels: { 'org.opencontainers.image.base.name': 'debian:bookworm', 'dev.ownbase.recipe.path': 'examples/x.ownbase.yaml', 'dev.ownbase.recipe.sha256': 'ab12' },
  });
  assert.ok(p.steps.every((s) => s.needsRoot || s.id === 'prepare'));
});

test('merged /usr: the hook\'s setup script only, and usr-is-merged one more package of mmdebstrap\'s run (once; none without the hook)', () => {
  const argv = (opts: Partial<PlanOptions>, packages?: string): readonly string[] => {
    const recipe = packages === undefined ? example('bookworm-slim.ownbase.yaml') : { ...example('bookworm-slim.ownbase.yaml'), packages: packages === '' ? [] : packages.split(',') };
    return step(planBuild(recipe, { ...BASE, ...opts, cache: { dir: '/var/cache/ownbase/x', warm: false } }), 'bootstrap').argv;
  };
  const hooks = (a: readonly string[]): string[] => a.filter((x) => x.startsWith('--include=') || x.includes('merged-usr'));
  assert.deepEqual(hooks(argv({})), ['--include=ca-certificates,usr-is-merged', '--setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh']);
  assert.deepEqual(hooks(argv({}, 'usr-is-merged,ca-certificates')), ['--include=usr-is-merged,ca-certificates', '--setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh']);
  assert.deepEqual(hooks(argv({ mergedUsrHook: false })), ['--include=ca-certificates']);
  assert.deepEqual(hooks(argv({ mergedUsrHook: false }, '')), [], 'no package, no hook: no --include at all');
});

test('bookworm-slim example, warm cache: the archives decide every version, the cache seeds apt\'s lists and .debs', () => {
  const dir = '/var/cache/ownbase/debian/bookworm/amd64';
  const p = planBuild(example('bookworm-slim.ownbase.yaml'), { ...BASE, cache: { dir, warm: true } });
  assert.deepEqual(ids(p), ['prepare', 'bootstrap', 'count-updates', 'cache', 'source-date', 'slim', 'finalize', 'import']);
  assert.equal(step(p, 'cache').title, `keep the packages this build downloaded in ${dir}`);
  assert.deepEqual(step(p, 'bootstrap').argv, [
    ...UNSHARE, ...PKG_ENV, `OWNBASE_SEED_CACHE=${dir}`, 'mmdebstrap', '--variant=minbase', '--arch=amd64', '--components=main', '--include=ca-certificates,usr-is-merged',
    '--setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh', `--setup-hook=${SEED_CACHE}`, `--setup-hook=${UNSAFE_IO_ON}`, `--customize-hook=${UNSAFE_IO_OFF}`,
    '--skip=download/empty', '--skip=essential/unlink', '--skip=cleanup/apt', 'bookworm', R, ...BOOKWORM_BUILD_LINES,
  ], 'the archives, not the cache, are asked what is newest');
  assert.equal(step(p, 'bootstrap').title, 'bootstrap debian bookworm amd64 with bookworm-updates and bookworm-security from the package cache (mmdebstrap)');
  assert.deepEqual(step(p, 'finalize').argv, ['sh', '-c', FINALIZE, 'sh', R, dir, '', ...BOOKWORM_SOURCES]);
  const off = planBuild({ ...example('bookworm-slim.ownbase.yaml'), updates: false }, { ...BASE, cache: { dir, warm: true } });
  assert.deepEqual(ids(off), ['prepare', 'bootstrap', 'cache', 'source-date', 'slim', 'finalize', 'import'], 'without updates: the release alone, no count');
  assert.deepEqual(step(off, 'bootstrap').argv.slice(-3), ['bookworm', R, MIRROR]);
  const locked = planBuild(example('bookworm-slim.ownbase.yaml'), { ...BASE, cache: { dir, warm: true }, lockedRepo: '/var/cache/ownbase/locked/x' });
  assert.deepEqual(ids(locked), ['prepare', 'bootstrap', 'source-date', 'slim', 'finalize', 'import'], 'a lock installs its versions: no archive, no count');
  assert.deepEqual(step(locked, 'bootstrap').argv.slice(-3), ['bookworm', R, 'deb [trusted=yes] file:///var/cache/ownbase/locked/x bookworm main']);
  assert.ok(step(locked, 'bootstrap').argv.includes('--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount'));
});

test('a warm cache replays with mmdebstrap even when the recipe says debootstrap', () => {
  const p = planBuild(example('bookworm-slim.ownbase.yaml'), { ...BASE, builder: 'debootstrap', cache: { dir: '/var/cache/o/d/b/a', warm: true } });
  assert.equal(p.builder, 'debootstrap');
  assert.equal(p.bootstrapTool, 'mmdebstrap');
  assert.equal(step(p, 'bootstrap').argv[9], 'mmdebstrap');
});

test('bookworm with debootstrap: bootstrap, then apt-get in the chroot of a private mount namespace', () => {
  const p = planBuild(example('bookworm-slim.ownbase.yaml'), { ...BASE, builder: 'debootstrap' });
  assert.deepEqual(ids(p), ['prepare', 'bootstrap', 'upgrade', 'packages', 'source-date', 'slim', 'finalize', 'import'], 'the packages come from the updated suites directly');
  assert.deepEqual(step(p, 'bootstrap').argv, [...UNSHARE, 'debootstrap', '--variant=minbase', '--arch=amd64', '--components=main', 'bookworm', R, MIRROR]);
  assert.deepEqual(step(p, 'upgrade').argv, [...UNSHARE, ...PKG_ENV, 'sh', '-c', UPGRADE, 'sh', R, COUNT, '', BOOKWORM_BUILD_SOURCES]);
  assert.deepEqual(step(p, 'packages').argv, [...UNSHARE, 'sh', '-c', CHROOT_RUN, 'sh', R, ...PKG_ENV, '/bin/sh', '-c', INSTALL, 'sh', 'ca-certificates']);
  assert.equal(step(p, 'packages').kind, 'chroot');
  assert.deepEqual(step(p, 'packages').cleanup?.map((c) => c.id), ['unmount']);
});

test('focal (the design recipe without a mirror): the tool default mirror, all four components, the remove list', () => {
  const p = planBuild(example('focal.ownbase.yaml'), { hostArch: 'amd64', workdir: '/var/tmp/ownbase-f' });
  const r = '/var/tmp/ownbase-f/rootfs';
  assert.equal(p.mirror, undefined);
  assert.deepEqual(ids(p), ['prepare', 'bootstrap', 'packages', 'source-date', 'slim', 'remove', 'finalize', 'import'], 'no mirror known at all: no upgrade');
  assert.deepEqual(p.warnings, ['no ubuntu mirror known to write apt sources for: built without focal-updates and focal-security; name the recipe\'s mirror']);
  assert.deepEqual(step(p, 'bootstrap').argv, [...UNSHARE, 'debootstrap', '--variant=minbase', '--arch=amd64', '--components=main,restricted,universe,multiverse', 'focal', r]);
  assert.deepEqual(step(p, 'remove').argv, ['chroot', r, '/bin/sh', '-c', REMOVE, 'sh', '/usr/share/doc/*', '/usr/share/man/*', '/var/lib/apt/lists/*', '/var/cache/apt/*']);
  assert.deepEqual(step(p, 'import').argv.slice(4), [r, 'owned/focal:20.04', '', '--change', 'CMD ["/bin/bash"]', '--change', 'ENV LANG="C.UTF-8"', '--change', 'EXPOSE 2222/tcp',
    '--change', 'LABEL "org.opencontainers.image.base.name"="ubuntu:focal"']);
});

test('arm64 on amd64 with debootstrap: binfmt check, --foreign, qemu copied in, second stage in the chroot, emulator removed', () => {
  const p = planBuild(example('arm64-cross.ownbase.yaml'), { ...BASE });
  assert.equal(p.foreign, true);
  assert.deepEqual(ids(p), ['check-binfmt', 'prepare', 'bootstrap', 'qemu', 'second-stage', 'upgrade', 'packages', 'source-date', 'slim', 'finalize', 'import']);
  assert.deepEqual(step(p, 'check-binfmt').argv, ['sh', '-c', CHECK_BINFMT, 'sh', 'aarch64', 'arm64']);
  assert.deepEqual(step(p, 'bootstrap').argv, [...UNSHARE, 'debootstrap', '--variant=minbase', '--arch=arm64', '--components=main', '--foreign', 'bookworm', R, MIRROR]);
  assert.deepEqual(step(p, 'qemu').argv, ['cp', '--', '/usr/bin/qemu-aarch64-static', `${R}/usr/bin/qemu-aarch64-static`]);
  assert.deepEqual(step(p, 'second-stage').argv, [...UNSHARE, 'sh', '-c', CHROOT_RUN, 'sh', R, '/debootstrap/debootstrap', '--second-stage']);
  assert.deepEqual(step(p, 'finalize').argv, ['sh', '-c', FINALIZE, 'sh', R, '', '/usr/bin/qemu-aarch64-static', ...BOOKWORM_SOURCES]);
  assert.deepEqual(step(p, 'import').argv.slice(7, 9), ['--platform', 'linux/arm64/v8']);
  assert.equal(p.image.arch, 'arm64');
});

test('arm64 with mmdebstrap: mmdebstrap runs the foreign packages itself; no emulator copy', () => {
  const p = planBuild(example('arm64-cross.ownbase.yaml'), { ...BASE, builder: 'mmdebstrap' });
  assert.deepEqual(ids(p), ['check-binfmt', 'prepare', 'bootstrap', 'count-updates', 'source-date', 'slim', 'finalize', 'import']);
  assert.ok(step(p, 'bootstrap').argv.includes('--arch=arm64'));
  assert.deepEqual(step(p, 'finalize').argv.slice(5, 7), ['', '']);
});

test('--keep-rootfs builds in that folder and never removes it; --from-rootfs only imports', () => {
  const keep = planBuild(example('bookworm-slim.ownbase.yaml'), { ...BASE, keepRootfs: '/srv/rootfs/' });
  assert.equal(keep.rootfs, '/srv/rootfs');
  assert.equal(keep.keepRootfs, true);
  assert.ok(keep.steps.every((s) => !(s.cleanup ?? []).some((c) => c.id === 'remove-workdir')));
  const from = planBuild(example('bookworm-slim.ownbase.yaml'), { ...BASE, fromRootfs: '/srv/rootfs' });
  assert.deepEqual(ids(from), ['import']);
  assert.equal(from.rootfs, '/srv/rootfs');
  const archive = planBuild(example('bookworm-slim.ownbase.yaml'), { ...BASE, output: '/tmp/x/img.tar' });
  assert.deepEqual(ids(archive).slice(-1), ['archive']);
  assert.deepEqual(step(archive, 'archive').argv, []);
  assert.equal(step(archive, 'archive').inProcess, 'archive');
});

test('the recipe mirror wins over the host one; --tag overrides the image', () => {
  const r = { ...example('bookworm-slim.ownbase.yaml'), mirror: 'https://other.invalid/debian/' };
  const p = planBuild(r, { ...BASE, tag: 'me/base:1' });
  assert.equal(step(p, 'bootstrap').argv.at(-3), 'deb https://other.invalid/debian/ bookworm main');
  assert.equal(p.image.tag, 'me/base:1');
});

const base: Recipe = { image: 'owned/x:1', distro: 'debian', suite: 'bookworm', arch: 'amd64', packages: ['ca-certificates'] };

/** The lint errors of a recipe written as JSON (a YAML document), with the text each one's range covers. */
function lintErrors(r: Recipe): { message: string; at: string }[] {
  const text = JSON.stringify(r, null, 2);
  const lines = new LineIndex(text);
  return lintRecipe(text).filter((d) => d.severity === 'error')
    .map((d) => ({ message: d.message, at: text.slice(lines.offsetAt(d.range.start), lines.offsetAt(d.range.end)) }));
}

test('what the plan refuses, lint flags at the field with the same message (one validator)', () => {
  const bad: [Partial<Recipe>, RegExp, string][] = [
    [{ packages: ['curl; rm -rf /'] }, /^packages\[0\]: 'curl; rm -rf \/' is not valid\. A package name is/, '"curl; rm -rf /"'],
    [{ packages: ['$(reboot)'] }, /package name/, '"$(reboot)"'],
    [{ packages: ['-o=APT::Get::Assume-Yes=false'] }, /package name/, '"-o=APT::Get::Assume-Yes=false"'],
    [{ suite: 'bookworm; rm -rf /' }, /^Unknown Debian suite/, '"bookworm; rm -rf /"'],
    [{ suite: 'bookworm\nid' }, /^Unknown Debian suite/, '"bookworm\\nid"'],
    [{ components: ['main contrib'] }, /^components\[0\]: 'main contrib' is not valid/, '"main contrib"'],
    [{ components: ['../x'] }, /^components\[0\]: '\.\.\/x' is not valid/, '"../x"'],
    [{ components: ['main/../../x'] }, /^components\[0\]/, '"main/../../x"'],
    [{ components: ['-x'] }, /^components\[0\]: '-x' is not valid\. .*a leading '-' would be read as an option/, '"-x"'],
    [{ arch: 'amd64$(id)' }, /is not a valid arch/, '"amd64$(id)"'],
    [{ variant: 'minbase --foreign' }, /is not a valid variant/, '"minbase --foreign"'],
    [{ variant: 'fakechroot' }, /is not a valid variant/, '"fakechroot"'],
    [{ variant: 'essential' }, /^variant: 'essential' cannot be built with debootstrap \(the default builder\).* set builder: mmdebstrap\.$/, '"essential"'],
    [{ mirror: "http://m.invalid/'; rm -rf /" }, /^mirror: /, `"http://m.invalid/'; rm -rf /"`],
    [{ mirror: 'ftp://m.invalid/debian' }, /^mirror: /, '"ftp://m.invalid/debian"'],
    [{ mirror: 'javascript:alert(1)' }, /^mirror: /, '"javascript:alert(1)"'],
    [{ image: 'x; rm -rf /' }, /^Invalid image reference 'x; rm -rf \/': an image reference has no spaces\.$/, '"x; rm -rf /"'],
    [{ image: 'Owned/x:1' }, /would be read as a registry host/, '"Owned/x:1"'],
    [{ remove: ['/../../etc'] }, /^remove\[0\]: '\/\.\.\/\.\.\/etc' contains '\.\.'\.$/, '"/../../etc"'],
    [{ remove: ['/*'] }, /wildcard in its first folder/, '"/*"'],
    [{ remove: ['/'] }, /whole image/, '"/"'],
    [{ remove: ['usr/share/doc'] }, /^remove\[0\]: 'usr\/share\/doc' is not valid/, '"usr/share/doc"'],
    [{ remove: ['/usr/share/doc\n/etc'] }, /^remove\[0\]: .* is not valid\. A remove entry is one absolute path/, '"/usr/share/doc\\n/etc"'],
    [{ remove: ['/bin/*'] }, /^Removing '\/bin\/\*' deletes \/usr\/bin\/dpkg\* \(dpkg\) through the merged-\/usr symlink \/bin → \/usr\/bin/, '"/bin/*"'],
    [{ config: { env: { A: 'line1\nline2' } } }, /^config\.env\.A: .* docker import --change cannot carry a line break/, '"line1\\nline2"'],
    [{ config: { workdir: '/srv\nx' } }, /^config\.workdir: /, '"/srv\\nx"'],
    [{ config: { user: 'me\r' } }, /^config\.user: /, '"me\\r"'],
    [{ config: { labels: { a: 'b\nc' } } }, /^config\.labels\.a: /, '"b\\nc"'],
    [{ config: { labels: { 'a\nb': 'c' } } }, /^config\.labels: 'a\\nb' is not a valid name/, '"a\\nb"'],
    [{ config: { expose: ['80/sctp'] } }, /^config\.expose\[0\]/, '"80/sctp"'],
  ];
  for (const [patch, re, at] of bad) {
    const recipe = { ...base, ...patch } as Recipe;
    let message = '';
    assert.throws(() => planBuild(recipe, BASE), (e: unknown) => { message = (e as Error).message; return e instanceof PlanError; }, JSON.stringify(patch));
    assert.match(message, re, JSON.stringify(patch));
    assert.deepEqual(lintErrors(recipe).filter((d) => d.message === message), [{ message, at }], JSON.stringify(patch));
  }
  assert.throws(() => planBuild(base, { ...BASE, workdir: '/tmp' }), /too close to \//);
  assert.throws(() => planBuild(base, { ...BASE, workdir: 'rel/dir' }), /absolute/);
});

test('every architecture of the table plans (m68k included), natively or through qemu, with its OCI platform', () => {
  for (const a of ARCHES) {
    const p = planBuild({ ...base, arch: a.name }, BASE);
    assert.equal(p.arch, a.name);
    assert.equal(p.foreign, !runsNatively('amd64', a.name));
    if (p.foreign) assert.ok(step(p, 'import').argv.includes('--platform'), a.name);
    assert.deepEqual(lintErrors({ ...base, arch: a.name }), [], a.name);
  }
  const m68k = planBuild({ ...base, arch: 'm68k' }, BASE);
  const imp = step(m68k, 'import').argv;
  assert.equal(imp[imp.indexOf('--platform') + 1], 'linux/m68k');
  assert.deepEqual(step(m68k, 'check-binfmt').argv.slice(-2), ['m68k', 'm68k']);
});

test('--builder is checked against the variant too; a warm cache runs every debootstrap variant', () => {
  assert.throws(() => planBuild({ ...base, builder: 'mmdebstrap', variant: 'essential' }, { ...BASE, builder: 'debootstrap' }),
    (e: unknown) => e instanceof PlanError && e.message === "variant: 'essential' cannot be built with --builder debootstrap, which runs minbase, buildd, -. "
      + "'essential' is a variant of mmdebstrap: set builder: mmdebstrap.");
  assert.equal(planBuild({ ...base, builder: 'mmdebstrap', variant: 'essential' }, BASE).bootstrapTool, 'mmdebstrap');
  for (const variant of ['minbase', 'buildd', '-']) {
    const p = planBuild({ ...base, variant }, { ...BASE, cache: { dir: '/var/cache/ownbase/debian/bookworm/amd64', warm: true } });
    assert.ok(step(p, 'bootstrap').argv.includes(`--variant=${variant}`));
  }
});

test('work paths: only characters debootstrap neither evaluates nor splits; the message names the character', () => {
  const cases: [Partial<PlanOptions>, string][] = [
    [{ workdir: '/var/tmp/$(id)' }, `the work folder (--workdir, ownbase.build.workDir) "/var/tmp/$(id)" contains '$'`],
    [{ workdir: '/var/tmp/`id`' }, 'the work folder (--workdir, ownbase.build.workDir) "/var/tmp/`id`" contains \'`\''],
    [{ workdir: '/var/tmp/a b' }, 'the work folder (--workdir, ownbase.build.workDir) "/var/tmp/a b" contains a space'],
    [{ workdir: '/var/tmp/a\nb' }, 'the work folder (--workdir, ownbase.build.workDir) "/var/tmp/a\\nb" contains a line break'],
    [{ workdir: '/var/tmp/a*' }, `the work folder (--workdir, ownbase.build.workDir) "/var/tmp/a*" contains '*'`],
    [{ workdir: '/var/tmp/é' }, 'the work folder (--workdir, ownbase.build.workDir) "/var/tmp/é" contains the character U+00E9'],
    [{ keepRootfs: '/var/tmp/"x"' }, `--keep-rootfs "/var/tmp/\\"x\\"" contains '"'`],
    [{ keepRootfs: "/var/tmp/it's" }, `--keep-rootfs "/var/tmp/it's" contains '''`],
    [{ fromRootfs: '/var/tmp/a;b' }, `--from-rootfs "/var/tmp/a;b" contains ';'`],
    [{ cache: { dir: '/var/cache/$(reboot)/x', warm: false } }, `the cache folder (--cache-dir, ownbase.build.cacheDir) "/var/cache/$(reboot)/x" contains '$'`],
    [{ cache: { dir: '/var/cache/a b', warm: true } }, 'the cache folder (--cache-dir, ownbase.build.cacheDir) "/var/cache/a b" contains a space'],
  ];
  for (const [opts, lead] of cases) {
    assert.throws(() => planBuild(base, { ...BASE, ...opts }),
      (e: unknown) => e instanceof PlanError && e.message === `${lead}: debootstrap evaluates its target folder in a shell, so a work path may only hold letters, digits and . _ + @ % = , : / -`,
      JSON.stringify(opts));
  }
  const ok = planBuild(base, { ...BASE, workdir: '/srv/build-1.0_x+y@host%20=a,b:c/w' });
  assert.equal(ok.workdir, '/srv/build-1.0_x+y@host%20=a,b:c/w');
});

test('metacharacters that are legal values reach the processes literally, as single argv elements', () => {
  const r: Recipe = {
    ...base, remove: ['/opt/app/$(touch x)', "/srv/it's here/*"],
    config: { cmd: ['/bin/sh', '-c', 'echo "$(id)"; rm -rf / # not run here'], env: { PS1: '$(whoami)> ' }, workdir: '/srv/a b' },
  };
  const p = planBuild(r, BASE);
  assert.deepEqual(step(p, 'remove').argv.slice(-2), ['/opt/app/$(touch x)', "/srv/it's here/*"]);
  const imp = step(p, 'import').argv;
  assert.ok(imp.includes('CMD ["/bin/sh","-c","echo \\"$(id)\\"; rm -rf / # not run here"]'));
  assert.ok(imp.includes('ENV PS1="\\$(whoami)> "'));
  assert.ok(imp.includes('WORKDIR "/srv/a b"'));
  assert.deepEqual(p.image.config, r.config);
});

test('remove patterns and native architectures', () => {
  assert.equal(checkRemovePattern('/usr/share/doc/*'), undefined);
  assert.equal(checkRemovePattern('/usr/../etc'), "contains '..'");
  assert.equal(checkRemovePattern('/u*/share'), 'has a wildcard in its first folder and could match /usr or /etc');
  assert.equal(runsNatively('amd64', 'amd64'), true);
  assert.equal(runsNatively('amd64', 'i386'), true);
  assert.equal(runsNatively('amd64', 'arm64'), false);
  assert.equal(runsNatively('arm64', 'armhf'), true);
});

const DEFAULTS = { mirror: 'http://default.invalid/debian', security: 'http://default-security.invalid/debian-security' };
const bare = (suite: string, extra: Partial<Recipe> = {}): Recipe => ({ image: `owned/${suite}:1`, distro: 'debian', suite, builder: 'mmdebstrap', ...extra });
/** The sources the fixes come from: the upgrade step's (debootstrap), else mmdebstrap's, one argument a line. */
const upgradeSources = (p: Plan): string => {
  const up = p.steps.find((s) => s.id === 'upgrade');
  if (up) return up.argv.at(-1)!;
  const argv = step(p, 'bootstrap').argv;
  return argv.slice(argv.indexOf(p.rootfs) + 1).map((l) => `${l}\n`).join('');
};

test('bullseye: bullseye-updates and bullseye-security, one-line sources.list as its official images', () => {
  const p = planBuild(bare('bullseye'), BASE);
  assert.equal(step(p, 'count-updates').title, 'count the packages bullseye-updates and bullseye-security brought');
  assert.equal(upgradeSources(p), `deb ${MIRROR} bullseye main\ndeb ${MIRROR} bullseye-updates main\ndeb ${SECURITY} bullseye-security main\n`);
  assert.deepEqual(p.sources, { path: '/etc/apt/sources.list', text: `deb ${MIRROR} bullseye main\ndeb ${SECURITY} bullseye-security main\ndeb ${MIRROR} bullseye-updates main\n` });
  assert.deepEqual(step(p, 'finalize').argv.slice(-2), ['/etc/apt/sources.list', p.sources!.text]);
});

test('buster: its security suite is buster/updates', () => {
  const p = planBuild(bare('buster'), BASE);
  assert.deepEqual(p.updates.suites, ['buster-updates', 'buster/updates']);
  assert.equal(upgradeSources(p), `deb ${MIRROR} buster main\ndeb ${MIRROR} buster-updates main\ndeb ${SECURITY} buster/updates main\n`);
  assert.equal(p.sources!.text, `deb ${MIRROR} buster main\ndeb ${SECURITY} buster/updates main\ndeb ${MIRROR} buster-updates main\n`);
});

test('Ubuntu focal on a Debian host: the tool defaults for both archives, one-line sources with all four components', () => {
  const u = { mirror: 'http://u.invalid/ubuntu', security: 'http://us.invalid/ubuntu' };
  const p = planBuild(example('focal.ownbase.yaml'), { hostArch: 'amd64', workdir: '/var/tmp/ownbase-f', toolDefaults: u });
  const r = '/var/tmp/ownbase-f/rootfs';
  assert.deepEqual(ids(p), ['prepare', 'bootstrap', 'upgrade', 'packages', 'source-date', 'slim', 'remove', 'finalize', 'import']);
  assert.deepEqual(step(p, 'bootstrap').argv.slice(-2), ['focal', r], "debootstrap keeps its own default (the release alone)");
  const comps = 'main restricted universe multiverse';
  assert.equal(upgradeSources(p), `deb ${u.mirror} focal ${comps}\ndeb ${u.mirror} focal-updates ${comps}\ndeb ${u.security} focal-security ${comps}\n`);
  assert.deepEqual(p.sources, { path: '/etc/apt/sources.list', text: upgradeSources(p) });
  assert.deepEqual(p.updates, { suites: ['focal-updates', 'focal-security'], securityMirror: u.security, countFile: `${r}.updates-applied` });
  assert.deepEqual(p.warnings, []);
});

test('updates: false builds the release as published: no upgrade step, sources name the release alone, the summary says what is left out', () => {
  const p = planBuild(bare('bookworm', { updates: false }), { hostArch: 'amd64', workdir: '/dev/shm/ownbase-t', toolDefaults: DEFAULTS });
  assert.deepEqual(ids(p), ['prepare', 'bootstrap', 'source-date', 'slim', 'finalize', 'import']);
  assert.equal(step(p, 'bootstrap').argv.at(-1), DEFAULTS.mirror, 'named, or mmdebstrap would mix the update suites in');
  assert.deepEqual(p.sources, { path: '/etc/apt/sources.list.d/debian.sources', text: `Types: deb\nURIs: ${DEFAULTS.mirror}\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n` });
  assert.equal(step(p, 'import').argv[6], '', 'no count to read');
  assert.equal(updatesSummary(p, undefined), 'updates: none applied; updates: false: debian bookworm as published, without bookworm-updates and bookworm-security');
  assert.deepEqual(updatesLabels(undefined), {});
});

test('a recipe mirror without security_mirror: the security archive from the host, else the tool default, else none with a warning', () => {
  const mine = 'http://mine.invalid/debian';
  const fromHost = planBuild(bare('bookworm', { mirror: mine }), { ...BASE, toolDefaults: DEFAULTS });
  assert.equal(upgradeSources(fromHost), `deb ${mine} bookworm main\ndeb ${mine} bookworm-updates main\ndeb ${SECURITY} bookworm-security main\n`);
  assert.match(fromHost.sources!.text, new RegExp(`\nURIs: ${mine}\\nSuites: bookworm bookworm-updates\\n[^]*\\nURIs: ${SECURITY}\\nSuites: bookworm-security\\n`));
  const fromTool = planBuild(bare('bookworm', { mirror: mine }), { hostArch: 'amd64', workdir: '/dev/shm/ownbase-t', toolDefaults: DEFAULTS });
  assert.equal(fromTool.updates.securityMirror, DEFAULTS.security);
  const named = planBuild(bare('bookworm', { mirror: mine, security_mirror: 'http://sec.invalid/ds' }), { ...BASE, toolDefaults: DEFAULTS });
  assert.equal(named.updates.securityMirror, 'http://sec.invalid/ds', "the recipe's security_mirror wins");
  const none = planBuild(bare('bookworm', { mirror: mine }), { hostArch: 'amd64', workdir: '/dev/shm/ownbase-t' });
  assert.equal(step(none, 'count-updates').title, 'count the packages bookworm-updates brought');
  assert.equal(upgradeSources(none), `deb ${mine} bookworm main\ndeb ${mine} bookworm-updates main\n`);
  assert.deepEqual(none.warnings, ["neither this machine's apt sources nor the bootstrap tools name a security archive for debian: the image is built without bookworm-security and its security fixes; name one in the recipe's security_mirror"]);
  assert.equal(updatesSummary(none, 3), 'updates: 3 packages upgraded from bookworm-updates; no security archive known for debian: built without bookworm-security');
  assert.throws(() => planBuild(bare('bookworm', { security_mirror: "http://x.invalid/'; rm -rf /" }), BASE), PlanError);
});

test("a local proxy in the host's sources serves the build, never the image", () => {
  const proxy = 'http://127.0.0.1:3142/debian';
  const proxySec = 'http://localhost:3142/debian-security';
  const p = planBuild(bare('bookworm'), { ...BASE, hostMirror: proxy, hostSecurityMirror: proxySec, toolDefaults: DEFAULTS });
  assert.equal(step(p, 'bootstrap').argv.at(-3), `deb ${proxy} bookworm main`);
  assert.equal(upgradeSources(p), `deb ${proxy} bookworm main\ndeb ${proxy} bookworm-updates main\ndeb ${proxySec} bookworm-security main\n`);
  assert.doesNotMatch(p.sources!.text, /127\.0\.0\.1|localhost/);
  assert.match(p.sources!.text, new RegExp(`URIs: ${DEFAULTS.mirror}\\n[^]*URIs: ${DEFAULTS.security}\\n`));
  assert.deepEqual(p.warnings, [
    `this machine's mirror ${proxy} is local to it (a proxy): the build uses it, the image's apt sources name ${DEFAULTS.mirror}`,
    `this machine's security archive ${proxySec} is local to it (a proxy): the build uses it, the image's apt sources name ${DEFAULTS.security}`,
  ]);
  const mine = planBuild(bare('bookworm', { mirror: 'http://mine.invalid/debian' }), { ...BASE, hostMirror: proxy, toolDefaults: DEFAULTS });
  assert.match(mine.sources!.text, /^URIs: http:\/\/mine\.invalid\/debian$/m, "the recipe's mirror is what the image names");
});

test('sid has no update suites: no upgrade, no warning; the summary and label follow the count', () => {
  const p = planBuild(bare('sid'), { ...BASE, toolDefaults: DEFAULTS });
  assert.equal(ids(p).includes('upgrade'), false);
  assert.deepEqual(p.warnings, []);
  assert.equal(updatesSummary(p, undefined), 'updates: none applied; sid has no updates or security suites');
  const b = planBuild(bare('bookworm'), BASE);
  assert.equal(updatesSummary(b, 12), 'updates: 12 packages upgraded from bookworm-updates and bookworm-security');
  assert.equal(updatesSummary(b, 1), 'updates: 1 package upgraded from bookworm-updates and bookworm-security');
  assert.deepEqual(updatesLabels(12), { 'ownbase.updates.applied': '12' });
});

test('the count the upgrade step wrote is read back; garbage reads as unknown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ownbase-count-'));
  const p = planBuild(bare('bookworm'), { ...BASE, keepRootfs: join(dir, 'rootfs') });
  assert.equal(p.updates.countFile, join(dir, 'rootfs.updates-applied'), 'next to a kept rootfs, never inside it');
  assert.equal(updatesApplied(p), undefined);
  writeFileSync(p.updates.countFile, '15\n');
  assert.equal(updatesApplied(p), 15);
  writeFileSync(p.updates.countFile, 'lots\n');
  assert.equal(updatesApplied(p), undefined);
  rmSync(dir, { recursive: true });
});

test('a recipe naming no builder bootstraps with mmdebstrap when it is installed, and the plan says why', () => {
  const r: Recipe = { image: 'owned/x:1', distro: 'debian', suite: 'bookworm', arch: 'amd64' };
  const withIt = planBuild(r, { ...BASE, mmdebstrapInstalled: true });
  assert.equal(withIt.builder, 'mmdebstrap');
  assert.equal(withIt.bootstrapTool, 'mmdebstrap');
  assert.equal(step(withIt, 'bootstrap').argv[8], 'mmdebstrap');
  assert.match(withIt.builderWhy, /^mmdebstrap: the recipe names no builder and mmdebstrap is installed/);
  const without = planBuild(r, { ...BASE, mmdebstrapInstalled: false });
  assert.equal(without.builder, 'debootstrap');
  assert.equal(without.builderWhy, 'debootstrap: the recipe names no builder and mmdebstrap is not installed');
  assert.equal(step(without, 'bootstrap').argv[4], 'debootstrap');
});

test('builder: in the recipe and --builder override the mmdebstrap default; a foreign arch keeps debootstrap', () => {
  const r: Recipe = { image: 'owned/x:1', distro: 'debian', suite: 'bookworm', arch: 'amd64' };
  const recipeSays = planBuild({ ...r, builder: 'debootstrap' }, { ...BASE, mmdebstrapInstalled: true });
  assert.equal(recipeSays.builder, 'debootstrap');
  assert.equal(recipeSays.builderWhy, "debootstrap: the recipe's builder");
  const flag = planBuild({ ...r, builder: 'mmdebstrap' }, { ...BASE, builder: 'debootstrap', mmdebstrapInstalled: true });
  assert.equal(flag.builder, 'debootstrap');
  assert.equal(flag.builderWhy, 'debootstrap: --builder debootstrap');
  const cross = planBuild({ ...r, arch: 'arm64' }, { ...BASE, mmdebstrapInstalled: true });
  assert.equal(cross.builder, 'debootstrap');
  assert.match(cross.builderWhy, /architecture is foreign/);
  assert.deepEqual(ids(cross).slice(0, 5), ['check-binfmt', 'prepare', 'bootstrap', 'qemu', 'second-stage']);
});

const SNAP_BASE = 'http://snapshots.invalid/archive/debian';
const SNAP_SECURITY = 'http://snapshots.invalid/archive/debian-security';

test('snapshot: the bootstrap, the upgrade and the image use MIRROR/<snapshot>/; a named security_mirror too', () => {
  const p = planBuild(bare('bookworm', { mirror: `${SNAP_BASE}/`, security_mirror: SNAP_SECURITY, snapshot: '20261101T000000Z' }), BASE);
  const at = 'http://snapshots.invalid/archive/debian/20261101T000000Z/';
  const sec = 'http://snapshots.invalid/archive/debian-security/20261101T000000Z/';
  assert.equal(p.mirror, at);
  assert.equal(p.recipe.snapshot, '20261101T000000Z');
  assert.ok(step(p, 'bootstrap').argv.includes(`deb ${at} bookworm main`), step(p, 'bootstrap').argv.join(' '));
  assert.equal(upgradeSources(p), `deb ${at} bookworm main\ndeb ${at} bookworm-updates main\ndeb ${sec} bookworm-security main\n`);
  assert.match(p.sources!.text, new RegExp(`URIs: ${sec.replace(/[.]/gu, '\\.')}\nSuites: bookworm-security`, 'u'));
  assert.deepEqual(p.warnings, []);
});

test('snapshot: this machine\'s mirror is the base when the recipe names none; no security suite without a security_mirror', () => {
  const p = planBuild(bare('bookworm', { snapshot: '20250102T030405Z' }), { ...BASE, hostMirror: SNAP_BASE });
  assert.equal(p.mirror, `${SNAP_BASE}/20250102T030405Z/`);
  assert.deepEqual(p.updates.suites, ['bookworm-updates']);
  assert.equal(p.updates.left, 'snapshot 20250102T030405Z and no security_mirror: built without bookworm-security');
  assert.equal(p.warnings.length, 1);
  assert.match(p.warnings[0]!, /security_mirror/);
});

test('snapshot: refused without a mirror, with a mirror that already names a time, or a time that does not exist', () => {
  const noMirror: PlanOptions = { hostArch: 'amd64', workdir: '/dev/shm/ownbase-t' };
  assert.throws(() => planBuild(bare('bookworm', { snapshot: '20261101T000000Z' }), noMirror),
    /snapshot: 20261101T000000Z needs a snapshot-style archive as the mirror and none is known: name it in the recipe's mirror$/u);
  assert.throws(() => planBuild(bare('bookworm', { snapshot: '20261101T000000Z' }), { ...BASE, hostMirror: `${SNAP_BASE}/20251101T000000Z/` }),
    /already names a snapshot time/u);
  const bad: [Partial<Recipe>, RegExp, string][] = [
    [{ snapshot: '2026-11-01' }, /^snapshot: /, '"2026-11-01"'],
    [{ snapshot: '20261301T000000Z' }, /^snapshot: '20261301T000000Z' is not a date and time that exists/, '"20261301T000000Z"'],
    [{ snapshot: '20260230T000000Z' }, /is not a date and time that exists/, '"20260230T000000Z"'],
    [{ snapshot: '20261101T240000Z' }, /is not a date and time that exists/, '"20261101T240000Z"'],
    [{ snapshot: '20261101T000000Z', mirror: `${SNAP_BASE}/20261101T000000Z` }, /^snapshot: the mirror .* already names a snapshot time/, '"20261101T000000Z"'],
  ];
  for (const [patch, re, at] of bad) {
    const recipe = { ...base, ...patch } as Recipe;
    let message = '';
    assert.throws(() => planBuild(recipe, BASE), (e: unknown) => { message = (e as Error).message; return e instanceof PlanError; }, JSON.stringify(patch));
    assert.match(message, re, JSON.stringify(patch));
    assert.deepEqual(lintErrors(recipe).filter((d) => d.message === message), [{ message, at }], JSON.stringify(patch));
  }
});
