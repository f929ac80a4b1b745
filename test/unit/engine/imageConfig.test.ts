import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configChanges, containerConfig, envList, exposedPort, imageConfigJson } from '../../../src/core/engine/imageConfig';
import { platformOf, platformString } from '../../../src/core/kernel/arch';
import { LABEL_BASE_NAME, LABEL_RECIPE_PATH, LABEL_RECIPE_SHA256, provenanceLabels, provenanceOf, isOwned } from '../../../src/core/engine/labels';

test('Debian architectures map to OCI platforms (Go names)', () => {
  assert.deepEqual(platformOf('amd64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(platformOf('arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(platformOf('armhf'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(platformOf('armel'), { os: 'linux', architecture: 'arm', variant: 'v5' });
  assert.deepEqual(platformOf('i386'), { os: 'linux', architecture: '386' });
  assert.deepEqual(platformOf('ppc64el'), { os: 'linux', architecture: 'ppc64le' });
  assert.deepEqual(platformOf('s390x'), { os: 'linux', architecture: 's390x' });
  assert.deepEqual(platformOf('riscv64'), { os: 'linux', architecture: 'riscv64' });
  assert.equal(platformString(platformOf('armhf')), 'linux/arm/v7');
  assert.throws(() => platformOf('aarch64'), /Unknown Debian architecture "aarch64": use one of amd64, arm64, armel, armhf/);
  assert.throws(() => platformOf('toString'), /Unknown Debian architecture/);
});

test('env becomes a KEY=VALUE list in recipe order; ports get a protocol', () => {
  assert.deepEqual(envList({ PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', EMPTY: '' }), ['PATH=/usr/bin:/bin', 'LANG=C.UTF-8', 'EMPTY=']);
  assert.throws(() => envList({ 'A=B': 'x' }), /env: "A=B" is not a variable name/);
  assert.equal(exposedPort(80), '80/tcp');
  assert.equal(exposedPort('53/udp'), '53/udp');
  assert.equal(exposedPort('8080'), '8080/tcp');
  assert.equal(exposedPort('443/TCP'), '443/tcp');
  assert.throws(() => exposedPort(0), /expose: "0" is not a port/);
  assert.throws(() => exposedPort('80-90'), /expose: "80-90" is not a port/);
  assert.throws(() => exposedPort(70000), /is not a port/);
});

test('the arm64 image config carries architecture, variant, config, diff_ids and history', () => {
  const json = imageConfigJson({
    platform: platformOf('arm64'),
    config: { cmd: ['/bin/bash'], entrypoint: ['/usr/bin/tini', '--'], env: { LANG: 'C.UTF-8', TZ: 'UTC' }, workdir: '/srv', user: '1000:1000', expose: [2222, '53/udp', 2222], labels: { team: 'ops', [LABEL_RECIPE_PATH]: 'old' } },
    labels: { [LABEL_RECIPE_PATH]: 'recipes/x.ownbase.yaml' },
    diffId: 'sha256:' + 'a'.repeat(64),
    created: new Date('2024-05-06T07:08:09Z'),
  });
  assert.deepEqual(json, {
    created: '2024-05-06T07:08:09.000Z',
    architecture: 'arm64',
    variant: 'v8',
    os: 'linux',
    config: {
      Cmd: ['/bin/bash'],
      Entrypoint: ['/usr/bin/tini', '--'],
      Env: ['LANG=C.UTF-8', 'TZ=UTC'],
      WorkingDir: '/srv',
      User: '1000:1000',
      ExposedPorts: { '2222/tcp': {}, '53/udp': {} },
      Labels: { team: 'ops', [LABEL_RECIPE_PATH]: 'recipes/x.ownbase.yaml' },
    },
    rootfs: { type: 'layers', diff_ids: ['sha256:' + 'a'.repeat(64)] },
    history: [{ created: '2024-05-06T07:08:09.000Z', created_by: 'ownbase import', comment: 'rootfs imported by ownbase' }],
  });
  // Field order is part of the bytes, and so of the image id.
  assert.ok(JSON.stringify(json).startsWith('{"created":"2024-05-06T07:08:09.000Z","architecture":"arm64","variant":"v8","os":"linux","config":{"Cmd":["/bin/bash"],"Entrypoint"'));
});

test('armhf is arm/v7; an empty config stays empty like docker import', () => {
  const json = imageConfigJson({ platform: platformOf('armhf'), config: {}, diffId: 'sha256:0', created: new Date(0) });
  assert.equal(json.architecture, 'arm');
  assert.equal(json.variant, 'v7');
  assert.deepEqual(json.config, {});
  assert.deepEqual(containerConfig({ env: {}, expose: [] }), {});
});

test('configChanges gives docker --change instructions with no variable expansion', () => {
  assert.deepEqual(configChanges({ cmd: ['/bin/sh', '-c', 'echo "$HOME"'], env: { A: 'x y', B: 'a"b$c\\' }, workdir: '/w d', user: 'nobody', expose: [80], labels: { 'a.b': 'v' } }), [
    'CMD ["/bin/sh","-c","echo \\"$HOME\\""]',
    'ENV A="x y"',
    'ENV B="a\\"b\\$c\\\\"',
    'WORKDIR "/w d"',
    'USER "nobody"',
    'EXPOSE 80/tcp',
    'LABEL "a.b"="v"',
  ]);
  assert.throws(() => configChanges({ env: { A: 'two\nlines' } }), /a line break cannot go into a Dockerfile instruction/);
});

test('provenance labels round-trip and mark an image as owned', () => {
  const labels = provenanceLabels({ baseName: 'debian:bookworm', recipePath: 'r.ownbase.yaml', recipeSha256: 'f'.repeat(64) });
  assert.deepEqual(labels, { [LABEL_BASE_NAME]: 'debian:bookworm', [LABEL_RECIPE_PATH]: 'r.ownbase.yaml', [LABEL_RECIPE_SHA256]: 'f'.repeat(64) });
  assert.equal(LABEL_BASE_NAME, 'org.opencontainers.image.base.name');
  assert.equal(LABEL_RECIPE_PATH, 'dev.ownbase.recipe.path');
  assert.equal(LABEL_RECIPE_SHA256, 'dev.ownbase.recipe.sha256');
  assert.deepEqual(provenanceOf(labels), { baseName: 'debian:bookworm', recipePath: 'r.ownbase.yaml', recipeSha256: 'f'.repeat(64) });
  assert.deepEqual(provenanceOf(null), {});
  assert.equal(isOwned(labels), true);
  assert.equal(isOwned({ [LABEL_BASE_NAME]: 'x' }), false);
});

test('every architecture a recipe may name has a platform, and one table decides native or emulated', async () => {
  const { ARCHES, runsNatively } = await import('../../../src/core/kernel/arch');
  assert.equal(ARCHES.length, 18);
  for (const a of ARCHES) assert.match(platformString(platformOf(a.name)), /^linux\/[a-z0-9]+(\/v\d)?$/, a.name);
  assert.equal(platformString(platformOf('powerpc')), 'linux/ppc');
  assert.equal(platformString(platformOf('m68k')), 'linux/m68k');
  // On an arm64 host armhf runs natively: lint (OB203) and the plan read this same answer.
  assert.equal(runsNatively('arm64', 'armhf'), true);
  assert.equal(runsNatively('arm64', 'armel'), true);
  assert.equal(runsNatively('amd64', 'armhf'), false);
  assert.equal(runsNatively('amd64', 'i386'), true);
  assert.equal(runsNatively('i386', 'amd64'), false);
});
