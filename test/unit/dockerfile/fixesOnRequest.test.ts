import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixesOf, lintText } from '../../../src/core/lint';
import { applyEdits } from '../../../src/core/kernel/text';

test('a recipe listing one package 10,000 times: fix-all removes every duplicate, computed on request', () => {
  const text = `image: a/b:1\ndistro: debian\nsuite: bookworm\npackages:\n${'  - curl\n'.repeat(10_000)}`;
  const ds = lintText('recipe', text, { fixes: false }).filter((d) => d.code === 'OB207');
  assert.equal(ds.length, 9_999);
  assert.ok(ds.every((d) => !d.fixes?.length), 'lint computes no fixes');
  const safe = fixesOf('recipe', text, ds, {}, true);
  assert.equal(safe.length, 9_999);
  assert.ok(safe.every((f) => f.length === 1 && f[0]!.title === "Remove 'curl' from packages" && f[0]!.safe));
  const fixed = applyEdits(text, safe.flatMap((f) => f[0]!.changes[0]!.edits!));
  assert.equal(fixed, 'image: a/b:1\ndistro: debian\nsuite: bookworm\npackages:\n  - curl\n');
  const [all] = fixesOf('recipe', text, [ds[5]!]);
  assert.deepEqual(all!.map((f) => f.title), ["Remove 'curl' from packages", 'Ignore OB207 for this line']);
});

test('fix-all on a Dockerfile computes only the safe fixes (Pin tag), not the refactors', () => {
  const text = 'FROM debian AS d\nFROM gcc:12 AS b\nRUN make\nFROM debian:12\nCOPY --from=b /a /a\n';
  const ds = lintText('dockerfile', text, { fixes: false, path: '/w/Dockerfile', fileExists: () => false });
  const safe = fixesOf('dockerfile', text, ds, { path: '/w/Dockerfile', fileExists: () => false }, true).flat();
  assert.deepEqual(safe.map((f) => f.title), ['Pin tag: debian:trixie']);
  const every = fixesOf('dockerfile', text, ds, { path: '/w/Dockerfile', fileExists: () => false }).flat().map((f) => f.title);
  assert.ok(every.some((t) => t.startsWith('Create owned base')));
});
