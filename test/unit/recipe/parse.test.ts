import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldAt, parseRecipe, rangeFor } from '../../../src/core/recipe/parse';
import { r, VALID } from './helpers';

test('a valid recipe parses to the typed recipe with no diagnostics', () => {
  const p = parseRecipe(VALID);
  assert.deepEqual(p.diagnostics, []);
  assert.deepEqual(p.issues, []);
  assert.deepEqual(p.recipe, {
    image: 'owned/focal:20.04', distro: 'ubuntu', suite: 'focal', arch: 'amd64', variant: 'minbase',
    mirror: 'http://mirror.example/ubuntu/', components: ['main', 'restricted', 'universe', 'multiverse'],
    packages: ['ca-certificates'], remove: ['/usr/share/doc/*', '/usr/share/man/*', '/var/lib/apt/lists/*', '/var/cache/apt/*'],
    config: { cmd: ['/bin/bash'], env: { LANG: 'C.UTF-8' }, expose: [2222] },
  });
});

test('the node map gives exact key and value ranges by field path', () => {
  const p = parseRecipe(VALID);
  assert.deepEqual(p.nodes.get('image')?.keyRange, r(0, 0, 0, 5));
  assert.deepEqual(p.nodes.get('image')?.range, r(0, 7, 0, 24));
  assert.deepEqual(p.nodes.get('components[2]')?.range, r(6, 31, 6, 39));
  assert.deepEqual(p.nodes.get('config.env.LANG')?.range, r(11, 15, 11, 22));
  assert.deepEqual(p.nodes.get('config.env.LANG')?.keyRange, r(11, 9, 11, 13));
  assert.deepEqual(p.nodes.get('config.cmd[0]')?.range, r(10, 8, 10, 19));
  assert.equal(p.nodes.get('config.cmd[0]')?.quote, '"');
  assert.equal(p.nodes.get('components')?.flow, true);
  assert.equal(p.nodes.get('components')?.children, 4);
  assert.equal(p.nodes.get('config.expose[0]')?.kind, 'scalar');
});

test('block lists and keys that need quoting get paths too', () => {
  const p = parseRecipe('packages:\n  - curl\n  - git # scm\nconfig:\n  env:\n    "my.var": x\n');
  assert.deepEqual(p.nodes.get('packages[1]')?.range, r(2, 4, 2, 7));
  assert.deepEqual(p.nodes.get('packages')?.range.start, { line: 1, character: 2 });
  assert.deepEqual(p.nodes.get('config.env["my.var"]')?.keyRange, r(5, 4, 5, 12));
});

test('rangeFor falls back to the nearest ancestor in the text, then to the first line', () => {
  const p = parseRecipe('# header\nbase: &b [curl]\npackages: *b\n');
  assert.deepEqual(rangeFor(p, ['packages', 0]), r(2, 10, 2, 12));
  assert.deepEqual(rangeFor(p, ['nothing', 'here']), r(1, 0, 1, 15));
  assert.deepEqual(p.value, { base: ['curl'], packages: ['curl'] });
});

test('fieldAt finds the innermost field under a position', () => {
  const p = parseRecipe(VALID);
  assert.deepEqual(fieldAt(p, { line: 11, character: 17 })?.path, ['config', 'env', 'LANG']);
  assert.deepEqual(fieldAt(p, { line: 2, character: 2 })?.path, ['suite']);
  assert.equal(fieldAt(p, { line: 0, character: 40 }), undefined);
});

test('YAML syntax errors are OB200 errors at their position', () => {
  const tabs = parseRecipe('image: a\n\tdistro: debian\n');
  assert.equal(tabs.recipe, undefined);
  const tab = tabs.diagnostics.find((d) => /Tabs/.test(d.message));
  assert.ok(tab, JSON.stringify(tabs.diagnostics));
  assert.equal(tab.code, 'OB200');
  assert.equal(tab.severity, 'error');
  assert.deepEqual(tab.range, r(1, 0, 1, 1));

  const dup = parseRecipe('image: a\nimage: b\n').diagnostics;
  assert.equal(dup.length, 1);
  assert.match(dup[0]!.message, /unique/);
  assert.deepEqual(dup[0]!.range, r(1, 0, 1, 5));

  const unclosed = parseRecipe('packages: [curl,\n').diagnostics;
  assert.ok(unclosed.length >= 1);
  assert.ok(unclosed.every((d) => d.code === 'OB200' && d.range.start.line <= 1));
});

test('a second document is an error on its --- line and is ignored', () => {
  const p = parseRecipe('image: owned/a:1\ndistro: debian\nsuite: bookworm\n---\nimage: other\n');
  assert.equal(p.diagnostics.length, 1);
  assert.deepEqual(p.diagnostics[0]!.range, r(3, 0, 3, 3));
  assert.match(p.diagnostics[0]!.message, /one YAML document/);
  assert.equal((p.value as { image: string }).image, 'owned/a:1');
});

test('anchors and aliases resolve; unknown and self-referencing aliases are diagnostics, not exceptions', () => {
  const ok = parseRecipe('image: owned/a:1\ndistro: debian\nsuite: bookworm\nx-pk: &pk [curl, git]\n');
  assert.deepEqual((ok.value as Record<string, unknown>)['x-pk'], ['curl', 'git']);
  const unknown = parseRecipe('packages: *nope\n');
  assert.equal(unknown.diagnostics.length, 1);
  assert.match(unknown.diagnostics[0]!.message, /Unknown alias \*nope/);
  assert.deepEqual(unknown.diagnostics[0]!.range, r(0, 10, 0, 11));
  const self = parseRecipe('a: &x [1, *x]\n');
  assert.ok(self.diagnostics.some((d) => d.code === 'OB200' && d.severity === 'error'), JSON.stringify(self.diagnostics));
});

test('a billion-laughs alias bomb stops at the value limit', () => {
  let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 9; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
  const p = parseRecipe(text);
  assert.ok(p.diagnostics.some((d) => /more than 100000 values/.test(d.message)));
});

test('deep nesting is reported, not a stack overflow', () => {
  const p = parseRecipe(`${'['.repeat(200)}${']'.repeat(200)}`);
  assert.ok(p.diagnostics.some((d) => /deeper than 64/.test(d.message)), JSON.stringify(p.diagnostics.slice(0, 2)));
  const deeper = parseRecipe(`${'['.repeat(20000)}`);
  assert.ok(deeper.diagnostics.length > 0);
});

test('__proto__ and constructor are ordinary keys', () => {
  const p = parseRecipe('__proto__: {polluted: 1}\nconstructor: x\n');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.deepEqual(Object.keys(p.value as object), ['__proto__', 'constructor']);
  assert.ok(p.issues.some((i) => i.kind === 'unknown-key' && i.value === '__proto__'));
});

test('empty text and comment-only text are an empty document', () => {
  for (const t of ['', '# nothing\n', '\n\n']) {
    const p = parseRecipe(t);
    assert.deepEqual(p.diagnostics, []);
    assert.equal(p.value, null);
    assert.deepEqual(p.issues.map((i) => i.property), ['image', 'distro', 'suite']);
  }
});

test('CRLF line ends keep ranges on the line content', () => {
  const p = parseRecipe('image: owned/a:1\r\ndistro: debian\r\nsuite: bookworm\r\n');
  assert.ok(p.recipe);
  assert.deepEqual(p.nodes.get('suite')?.range, r(2, 7, 2, 15));
});

test('a broken line does not flood: YAML errors are distinct and capped at 100', () => {
  const p = parseRecipe(`image: x\npackages: ${'- '.repeat(3000)}\n`);
  assert.ok(p.diagnostics.length <= 101, String(p.diagnostics.length));
  const deep = parseRecipe(`image: x\npackages: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
  assert.ok(deep.diagnostics.some((d) => d.message === 'The recipe nests too deeply to be read as YAML.'), JSON.stringify(deep.diagnostics.map((d) => d.message)));
});

test('a 1 MB recipe parses with exact positions', () => {
  const text = `image: owned/a:1\ndistro: debian\nsuite: bookworm\npackages:\n${Array.from({ length: 60000 }, (_, i) => `  - pkg${i}\n`).join('')}`;
  assert.ok(text.length > 600_000);
  const p = parseRecipe(text);
  assert.ok(p.recipe);
  assert.deepEqual(p.nodes.get('packages[59999]')?.range.start, { line: 60003, character: 4 });
});
