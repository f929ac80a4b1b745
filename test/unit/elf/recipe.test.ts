import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseOfRoot, runtimeDestination, runtimeRecipeOf } from '../../../src/core/elf/recipe';
import { RootFs } from '../../../src/core/elf/root';
import type { NeedsReport } from '../../../src/core/elf/needs';
import { rootRecipeOf, runtimeInputs, runtimeSpecs } from '../../../src/cli/buildRuntime';
import { inputsSha256 } from '../../../src/core/build/inputs';

const libc = { name: 'libc6', version: '2.36-9', arch: 'amd64', files: [] } as unknown as NeedsReport['packages'][number];
const report = (extra: Partial<NeedsReport['binaries'][number]> = {}): NeedsReport => ({
  root: '/', bytes: 10, packages: [libc],
  binaries: [{ path: '/w/app', outside: true, bytes: 1, arch: 'amd64', linking: 'dynamic', interpreter: '/lib64/ld-linux-x86-64.so.2', missing: [],
    needed: [{ soname: 'libc.so.6', file: '/lib/x86_64-linux-gnu/libc.so.6', real: '/usr/lib/x86_64-linux-gnu/libc.so.6', bytes: 9, reason: 'DT_NEEDED of /w/app', package: 'libc6' }], ...extra }],
});

test('runtimeRecipeOf: the release, the architecture, the packages drawn from and the with ones, the binaries', () => {
  assert.deepEqual(runtimeRecipeOf(report(), { image: 'owned/app:runtime', distro: 'debian', suite: 'bookworm', binaries: [{ path: 'app' }], with: ['tzdata'], user: 'app' }), {
    image: 'owned/app:runtime', distro: 'debian', suite: 'bookworm', arch: 'amd64', profile: 'runtime', packages: ['libc6', 'tzdata'],
    runtime: { binaries: [{ path: 'app' }], with: ['tzdata'], user: 'app' },
  });
  assert.throws(() => runtimeRecipeOf(report({ missing: [{ soname: 'libgone.so.1', neededBy: '/w/app', reason: 'DT_NEEDED of /w/app' }] }), { image: 'a/b:1', distro: 'debian', suite: 'bookworm', binaries: [], with: [], user: 'nonroot' }),
    /\/w\/app: libgone\.so\.1 is missing from the root/);
});

test('releaseOfRoot: os-release names the distro and its codename; other systems are none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ownbase-release-'));
  try {
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc/os-release'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\n');
    assert.deepEqual(releaseOfRoot(new RootFs(dir)), { distro: 'debian', suite: 'bookworm' });
    writeFileSync(join(dir, 'etc/os-release'), 'ID="ubuntu"\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\n');
    assert.deepEqual(releaseOfRoot(new RootFs(dir)), { distro: 'ubuntu', suite: 'jammy' });
    writeFileSync(join(dir, 'etc/os-release'), 'ID=alpine\nVERSION_ID=3.19.0\n');
    assert.equal(releaseOfRoot(new RootFs(dir)), undefined);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('runtime recipe to build: binaries beside the recipe or in the root, their places, the root recipe without runtime fields', () => {
  assert.equal(runtimeDestination({ path: '../out/app' }), '/usr/local/bin/app');
  assert.equal(runtimeDestination({ path: '/usr/bin/curl' }), '/usr/bin/curl');
  assert.equal(runtimeDestination({ path: 'app', to: '/app' }), '/app');
  const r = { image: 'a/b:1', distro: 'debian', suite: 'bookworm', profile: 'runtime', packages: ['libc6'], config: { env: { A: '1' } },
    runtime: { binaries: [{ path: 'bin/app' }, { path: '/usr/bin/curl', to: '/curl' }], shell: true } } as const;
  const { specs, at } = runtimeSpecs(r, '/w');
  assert.deepEqual(specs, [{ path: '/w/bin/app', outside: true }, { path: '/usr/bin/curl' }, { path: '/bin/sh' }]);
  assert.deepEqual([...at], [['/w/bin/app', '/usr/local/bin/app'], ['/usr/bin/curl', '/curl']]);
  assert.deepEqual(rootRecipeOf(r), { image: 'a/b:1', distro: 'debian', suite: 'bookworm', packages: ['libc6'] });
});

test('runtime inputs: the recipe, the architecture and the bytes of each binary from outside the root; a root binary is the recipe\'s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ownbase-runtime-inputs-'));
  try {
    writeFileSync(join(dir, 'app'), 'one');
    const recipe = { image: 'owned/app:1', distro: 'debian', suite: 'bookworm', profile: 'runtime', runtime: { binaries: [{ path: 'app' }, { path: '/usr/bin/env' }] } } as const;
    const loaded = { recipe, path: join(dir, 'app.ownbase.yaml'), display: 'app.ownbase.yaml', sha256: 'a'.repeat(64) };
    const inputs = (): string => { const { specs, at } = runtimeSpecs(recipe, dir); return runtimeInputs(loaded, 'amd64', specs, at)!; };
    const first = inputs();
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.equal(inputs(), first, 'the same bytes, the same inputs');
    assert.notEqual(first, inputsSha256({ recipeSha256: 'a'.repeat(64), arch: 'amd64' }), 'never a base image\'s inputs');
    assert.notEqual(runtimeInputs({ ...loaded, sha256: 'b'.repeat(64) }, 'amd64', runtimeSpecs(recipe, dir).specs, runtimeSpecs(recipe, dir).at), first);
    assert.notEqual(runtimeInputs(loaded, 'arm64', runtimeSpecs(recipe, dir).specs, runtimeSpecs(recipe, dir).at), first);
    writeFileSync(join(dir, 'app'), 'two');
    assert.notEqual(inputs(), first, 'a rebuilt binary changes the inputs');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
