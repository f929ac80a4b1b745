import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecipe, loadRecipe, RECIPE_RULES } from '../../../src/core/recipe';
import { RECIPE_RULE_DOCS } from '../../../src/core/recipe/ruleDocs';
import { fakeHost, VALID } from './helpers';

test("DESIGN.md's example recipe lints clean, also against a real-looking host", () => {
  assert.deepEqual(lintRecipe(VALID), []);
  assert.deepEqual(lintRecipe(VALID, { host: fakeHost() }), []);
});

test('loadRecipe gives the recipe only when there is no error', () => {
  const ok = loadRecipe(VALID);
  assert.equal(ok.recipe?.suite, 'focal');
  assert.deepEqual(ok.diagnostics, []);
  const warned = loadRecipe(VALID.replace('[ca-certificates]', '[ca-certificates, systemd]'));
  assert.equal(warned.recipe?.packages?.length, 2, 'warnings do not block');
  assert.deepEqual(warned.diagnostics.map((d) => d.code), ['OB204']);
  const bad = loadRecipe(VALID.replace('suite: focal', 'suite: bookworm'));
  assert.equal(bad.recipe, undefined);
  assert.deepEqual(bad.diagnostics.map((d) => d.code), ['OB202']);
  const syntax = loadRecipe('image: [\n');
  assert.equal(syntax.recipe, undefined);
  assert.ok(syntax.diagnostics.some((d) => d.code === 'OB200'));
});

test('one table of rules with unique codes; rule docs cover OB200–OB208', () => {
  const codes = RECIPE_RULES.map((r) => r.code);
  assert.deepEqual(codes, ['OB201', 'OB202', 'OB203', 'OB204', 'OB205', 'OB206', 'OB207', 'OB208']);
  assert.deepEqual(RECIPE_RULE_DOCS.map((d) => `${d.code} ${d.name} ${d.defaultSeverity}`), [
    'OB200 yaml-syntax error', 'OB201 schema error', 'OB202 unknown-suite error', 'OB203 foreign-arch warning',
    'OB204 not-needed-in-container warning', 'OB205 invalid-image-reference error', 'OB206 remove-breaks-package-manager error',
    'OB207 duplicate-package warning', 'OB208 updates warning',
  ]);
  for (const d of RECIPE_RULE_DOCS) assert.ok(d.description.length > 40, d.code);
});

test('every rule runs even when others find problems', () => {
  const text = 'image: Bad/Name\ndistro: debian\nsuite: bookwrom\narch: arm64\npackages: [systemd, curl, curl, "a;b"]\nremove: [/]\npakage: 1\n';
  const codes = new Set(lintRecipe(text, { host: fakeHost() }).map((d) => d.code));
  assert.deepEqual([...codes].sort(), ['OB201', 'OB202', 'OB203', 'OB204', 'OB205', 'OB206', 'OB207']);
});
