import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecipe } from '../../../src/core/recipe';
import { parseRecipe } from '../../../src/core/recipe/parse';
import { freeRecipeName } from '../../../src/core/recipe/serialize';
import { archChoices, newRecipe, parsePackageList, suiteChoices } from '../../../src/core/workspace/newRecipe';

test('New Recipe writes a recipe that parses back to the choices and lints clean', () => {
  const { fileName, recipe, text } = newRecipe({ distro: 'debian', suite: 'bookworm', arch: 'arm64', variant: 'minbase', packages: ['ca-certificates', 'curl'] });
  assert.equal(fileName, 'bookworm.ownbase.yaml');
  assert.deepEqual(parseRecipe(text).recipe, {
    image: 'owned/bookworm:12', distro: 'debian', suite: 'bookworm', arch: 'arm64', variant: 'minbase', components: ['main'],
    packages: ['ca-certificates', 'curl'], config: { cmd: ['/bin/bash'], env: { LANG: 'C.UTF-8' } },
  });
  assert.deepEqual(parseRecipe(text).recipe, recipe);
  assert.deepEqual(lintRecipe(text).map((d) => d.code), []);
  assert.equal(text.split('\n')[0], '# Debian 12, minbase, arm64. Build it, then: FROM owned/bookworm:12');
  const sid = newRecipe({ distro: 'debian', suite: 'sid', arch: 'amd64', variant: 'buildd', packages: [] });
  assert.equal(sid.recipe.image, 'owned/sid:latest');
  assert.equal(sid.recipe.packages, undefined);
  assert.deepEqual(lintRecipe(sid.text).map((d) => d.code), []);
});

test('choices: current suites newest first, the host arch first, packages checked', () => {
  assert.deepEqual(suiteChoices('debian').map((c) => c.value), ['sid', 'forky', 'trixie', 'bookworm', 'bullseye', 'buster']);
  assert.equal(suiteChoices('ubuntu')[0]?.description?.startsWith('Ubuntu '), true);
  assert.deepEqual(archChoices('arm64').slice(0, 2).map((c) => [c.value, c.description]), [['arm64', 'this machine'], ['amd64', undefined]]);
  assert.deepEqual(parsePackageList(' curl,  ca-certificates tzdata curl libc6:arm64=2.36 '), { packages: ['curl', 'ca-certificates', 'tzdata', 'libc6:arm64=2.36'] });
  assert.deepEqual(parsePackageList(''), { packages: [] });
  assert.deepEqual(parsePackageList('curl Bad_Name'), { error: '"Bad_Name" is not a package name (lower-case letters, digits, + - .; optionally :arch and =version)' });
});

test('a free file name: name, then name-2, name-3', () => {
  const taken = new Set(['bookworm.ownbase.yaml', 'bookworm-2.ownbase.yaml']);
  assert.equal(freeRecipeName('bookworm.ownbase.yaml', (n) => taken.has(n)), 'bookworm-3.ownbase.yaml');
  assert.equal(freeRecipeName('focal.ownbase.yaml', (n) => taken.has(n)), 'focal.ownbase.yaml');
});
