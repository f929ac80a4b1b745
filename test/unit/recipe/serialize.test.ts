import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecipe } from '../../../src/core/recipe';
import { parseRecipe } from '../../../src/core/recipe/parse';
import { serializeRecipe } from '../../../src/core/recipe/serialize';
import type { Recipe } from '../../../src/core/recipe/types';

const FULL: Recipe = {
  image: 'owned/focal:20.04', distro: 'ubuntu', suite: 'focal', arch: 'arm64', variant: 'minbase', mirror: 'http://mirror.example/ubuntu/',
  components: ['main', 'restricted', 'universe', 'multiverse'], packages: ['ca-certificates', 'curl:arm64', 'libc6=2.31-0ubuntu9'],
  remove: ['/usr/share/doc/*', '/usr/share/man/*', '/var/lib/apt/lists/*', '/var/cache/apt/*'],
  config: {
    cmd: ['/bin/bash', '-c', 'echo "hi" # not a comment\necho two lines'], entrypoint: ['/usr/bin/tini', '--'],
    env: { LANG: 'C.UTF-8', PORT: '8080', EMPTY: '', YES: 'yes', NUL: 'null' }, workdir: '/srv', user: '1000:1000',
    expose: [2222, '53/udp', '80'], labels: { 'org.opencontainers.image.title': 'base: one FROM' },
  },
  builder: 'mmdebstrap', slim: false,
};

test('round trip: parseRecipe(serializeRecipe(r)).recipe deep-equals r', () => {
  for (const recipe of [FULL, { image: 'owned/a:1', distro: 'debian', suite: 'bookworm' } as Recipe,
    { image: 'owned/a:1', distro: 'debian', suite: 'bookworm', packages: Array.from({ length: 40 }, (_, i) => `pkg${i}`) } as Recipe]) {
    const text = serializeRecipe(recipe, 'A header comment.');
    const parsed = parseRecipe(text);
    assert.deepEqual(parsed.diagnostics, [], text);
    assert.deepEqual(parsed.recipe, recipe, text);
  }
});

test("fields come in DESIGN.md's order with short aligned comments; the comment heads the file", () => {
  const shuffled = { slim: true, packages: ['curl'], suite: 'bookworm', image: 'owned/b:12', distro: 'debian', config: { env: { A: 'b' }, cmd: ['/app'] } } as Recipe;
  assert.equal(serializeRecipe(shuffled, 'Owned base for app/Dockerfile.'), [
    '# Owned base for app/Dockerfile.',
    'image: owned/b:12  # what docker import tags',
    'distro: debian     # debian | ubuntu',
    'suite: bookworm    # the release to bootstrap',
    'packages: [curl]   # installed in the chroot after the bootstrap',
    'config:            # applied at import (docker import --change)',
    '  cmd: ["/app"]',
    '  env:',
    '    A: b',
    'slim: true         # no docs, man pages, locales or apt lists',
    '',
  ].join('\n'));
});

test('a long header comment wraps; long lists go one item per line', () => {
  const text = serializeRecipe({ image: 'owned/a:1', distro: 'debian', suite: 'bookworm', packages: Array.from({ length: 20 }, (_, i) => `package-number-${i}`) },
    `${'word '.repeat(60)}end`);
  const lines = text.split('\n');
  assert.ok(lines.filter((l) => l.startsWith('#')).every((l) => l.length <= 98));
  assert.ok(lines.filter((l) => l.startsWith('#')).length >= 3);
  assert.ok(lines.includes('  - package-number-19'));
});

test('a serialized recipe lints clean', () => {
  const text = serializeRecipe({ ...FULL, arch: 'amd64' });
  assert.deepEqual(lintRecipe(text), []);
});
