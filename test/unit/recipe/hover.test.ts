import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hoverRecipe } from '../../../src/core/recipe/hover';

const TEXT = 'image: owned/x:1\ndistro: debian\nsuite: bookworm\nconfig:\n  env: { LANG: C.UTF-8 }\n';

test('hover on a key gives the schema description and the key range', () => {
  const h = hoverRecipe(TEXT, { line: 1, character: 2 })!;
  assert.match(h.markdown, /^\*\*distro\*\* — /);
  assert.deepEqual(h.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 6 } });
});

test('hover on the suite names the release', () => {
  const h = hoverRecipe(TEXT, { line: 2, character: 10 })!;
  assert.match(h.markdown, /`bookworm` is Debian 12/);
});

test('hover on a nested field and nowhere', () => {
  assert.match(hoverRecipe(TEXT, { line: 4, character: 3 })!.markdown, /^\*\*config\.env\*\* — /);
  assert.equal(hoverRecipe('# only a comment\n', { line: 0, character: 3 }), undefined);
});
