import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecipe } from '../../../src/core/recipe/lint';
import { parseRecipe } from '../../../src/core/recipe/parse';
import { recipeErrors } from '../../../src/core/recipe/validate';
import { serializeRecipe } from '../../../src/core/recipe/serialize';
import { completeRecipe } from '../../../src/core/recipe/completion';
import type { Recipe } from '../../../src/core/recipe/types';

const base = { image: 'owned/app:1', distro: 'debian', suite: 'bookworm' };

test('runtime profile: a recipe with profile runtime and its binaries is valid and round-trips through the writer', () => {
  const r: Recipe = {
    ...base, distro: 'debian', arch: 'amd64', profile: 'runtime', packages: ['ca-certificates', 'libc6'],
    runtime: { binaries: [{ path: 'app' }, { path: '/usr/bin/curl', to: '/bin/curl' }], with: ['ca-certificates'], user: 'app', shell: true },
  };
  assert.deepEqual(recipeErrors(r), []);
  const text = serializeRecipe(r);
  assert.deepEqual(parseRecipe(text).recipe, r);
  assert.match(text, /^profile: runtime +# base \| runtime/m);
  assert.deepEqual(lintRecipe(text).filter((d) => d.severity === 'error'), []);
});

test('runtime profile: the validator names what does not go together, at its field', () => {
  const messages = (v: unknown): [string, string][] => recipeErrors(v).map((p) => [p.path.join('.'), p.message]);
  assert.deepEqual(messages({ ...base, runtime: { binaries: [{ path: 'a' }] } }), [['runtime', 'runtime: goes with profile: runtime (a base recipe has no binaries to draw files for).']]);
  assert.deepEqual(messages({ ...base, profile: 'runtime' }), [['profile', 'profile: runtime needs a runtime: section naming the binaries (runtime: { binaries: [{ path: ./app }] }).']]);
  assert.deepEqual(messages({ ...base, profile: 'runtime', packages: ['libc6'], runtime: { binaries: [{ path: 'a' }], with: ['tzdata', 'libc6:amd64'] } }),
    [['runtime.with.0', 'runtime.with: tzdata is not in packages: the root the files come from installs only those (add it to packages).']]);
  assert.deepEqual(recipeErrors({ ...base, profile: 'runtime', runtime: { binaries: [] , user: 'Root' } }).map((p) => p.path.join('.')), ['runtime.user']);
  assert.deepEqual(recipeErrors({ ...base, profile: 'slim', runtime: { binaries: [{ path: 'a', to: 'rel' }] } }).map((p) => p.path.join('.')).sort(), ['profile', 'runtime', 'runtime.binaries.0.to']);
});

test('runtime profile: completion offers the profile values from the schema', () => {
  const text = 'image: a/b:1\ndistro: debian\nsuite: bookworm\nprofile: \n';
  const items = completeRecipe(text, { line: 3, character: 9 }).map((c) => c.label);
  assert.ok(items.includes('runtime') && items.includes('base'), items.join(','));
});
