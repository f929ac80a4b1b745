import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic, Range } from '../../../src/core/kernel/diagnostic';
import { completeRecipe, lintRecipe, parseRecipe, serializeRecipe } from '../../../src/core/recipe';
import type { Recipe } from '../../../src/core/recipe/types';
import { LineIndex } from '../../../src/core/kernel/text';
import { applyEdits, fakeHost, VALID } from './helpers';
import { rng } from '../rng';


const SEEDS = [
  VALID,
  'image: owned/base:12\ndistro: debian\nsuite: bookworm\npackages:\n  - curl\n  - systemd\n  - curl\nremove:\n  - /var/lib/*\nconfig:\n  env:\n    LANG: C.UTF-8\n  expose: [80, "53/udp"]\n',
  'image: "Owned/X"\ndistro: ubuntu\nsuite: \'jammy-updates\'\narch: arm64\nbase: &b [a, b]\npackages: *b\nslim: yes\n',
];
const KEYS = ['image', 'distro', 'suite', 'arch', 'variant', 'mirror', 'components', 'packages', 'remove', 'config', 'builder', 'slim',
  'cmd', 'env', 'expose', 'pakages', '__proto__', 'constructor', '<<', '? ', '- ', '', 'toString'];
const NOISE = ['\t', '\r', '\r\n', '\n', ':', ': ', '- ', '[', ']', '{', '}', ',', '&a ', '*a', '!!str ', '!tag ', '|', '>', '---\n', '...\n', '? ',
  '#', '"', "'", '\\', '%YAML 1.2\n', '\u0000', '\uFEFF', '\uD800', '😀', 'é', '  ', '\u2028', '<<: *a\n', '0x1F', '.inf', '~'];

function pick<T>(rand: () => number, xs: readonly T[]): T { return xs[Math.floor(rand() * xs.length)]!; }

function mutate(rand: () => number): string {
  const base = pick(rand, SEEDS);
  switch (Math.floor(rand() * 7)) {
    case 0: { // random code units
      const n = Math.floor(rand() * 300);
      return Array.from({ length: n }, () => String.fromCharCode(rand() < 0.7 ? 32 + Math.floor(rand() * 95) : Math.floor(rand() * 0x10000))).join('');
    }
    case 1: return base.slice(0, Math.floor(rand() * (base.length + 1)));
    case 2: { // swap keys between lines / replace keys
      const lines = base.split('\n');
      for (let k = 0; k < 1 + rand() * 4; k++) {
        const i = Math.floor(rand() * lines.length);
        lines[i] = lines[i]!.replace(/^(\s*)[\w-]+:/, (_, ws: string) => `${ws}${pick(rand, KEYS)}:`);
      }
      return lines.join('\n');
    }
    case 3: { // deep nesting
      const depth = Math.floor(rand() * (rand() < 0.97 ? 150 : 1500));
      const open = pick(rand, ['[', '{a: ', '- ', '[{']);
      return `image: x\npackages: ${open.repeat(depth)}${rand() < 0.5 ? ']'.repeat(depth) : ''}\n`;
    }
    case 4: { // insert noise
      let t = base;
      for (let k = 0; k < 1 + rand() * 8; k++) {
        const at = Math.floor(rand() * (t.length + 1));
        t = t.slice(0, at) + pick(rand, NOISE) + t.slice(at + Math.floor(rand() * 3));
      }
      return t;
    }
    case 5: { // shuffle, duplicate and re-indent lines
      const lines = base.split('\n');
      for (let k = 0; k < 1 + rand() * 5; k++) {
        const i = Math.floor(rand() * lines.length), j = Math.floor(rand() * lines.length);
        if (rand() < 0.4) [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        else if (rand() < 0.5) lines.splice(i, 0, lines[j]!);
        else lines[i] = ' '.repeat(Math.floor(rand() * 6)) + lines[i]!.trimStart();
      }
      return lines.join(rand() < 0.2 ? '\r\n' : '\n');
    }
    default: { // multi-document and a big file
      return rand() < 0.5 ? `${base}---\n${base}---\n${pick(rand, SEEDS)}` : `${base}x-big:\n${'  - item\n'.repeat(Math.floor(rand() * 300))}`;
    }
  }
}

function assertInside(lines: LineIndex, range: Range, what: string): void {
  for (const p of [range.start, range.end]) {
    assert.ok(Number.isInteger(p.line) && p.line >= 0 && p.line < lines.lineCount, `${what}: line ${p.line} of ${lines.lineCount}`);
    const len = lines.lineText(p.line).length;
    assert.ok(Number.isInteger(p.character) && p.character >= 0 && p.character <= len, `${what}: character ${p.character} > ${len} on line ${p.line}`);
  }
  assert.ok(range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character), `${what}: start after end`);
}

function checkDiagnostics(text: string, ds: readonly Diagnostic[]): void {
  const lines = new LineIndex(text);
  for (const d of ds) {
    assert.match(d.code, /^OB20\d$/);
    assert.doesNotMatch(d.message, /^Internal error/, d.message);
    assertInside(lines, d.range, `${d.code} ${d.message}`);
    for (const rel of d.related ?? []) assertInside(lines, rel.range, `${d.code} related`);
    for (const f of d.fixes ?? []) {
      const edits = f.changes.flatMap((c) => c.edits ?? []);
      for (const e of edits) assertInside(lines, e.range, `${d.code} fix ${f.title}`);
      applyEdits(text, edits);
    }
  }
}

test('3,000 random and mutated recipes: no exception, every range inside the document', () => {
  const seed = 20261128;
  const rand = rng(seed);
  const host = fakeHost({ arch: 'arm64' });
  for (let i = 0; i < 3000; i++) {
    const text = mutate(rand);
    try {
      checkDiagnostics(text, lintRecipe(text, { host }));
      const lines = new LineIndex(text);
      const line = Math.floor(rand() * (lines.lineCount + 1));
      completeRecipe(text, { line, character: Math.floor(rand() * 40) });
    } catch (err) {
      assert.fail(`case ${i} (seed ${seed}) ${JSON.stringify(text.slice(0, 300))}: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }
});

function randomRecipe(rand: () => number): Recipe {
  const word = (): string => pick(rand, ['curl', 'git', 'yes', 'no', 'null', '1.0', '0x10', 'a b', 'x: y', '#x', '-', '[a]', 'é', '"q"', "'s'", 'on', '~', '*']);
  const maybe = <T>(v: () => T): T | undefined => (rand() < 0.5 ? v() : undefined);
  const list = (): string[] => Array.from({ length: Math.floor(rand() * 6) }, word);
  const r: Record<string, unknown> = { image: 'owned/x:1', distro: pick(rand, ['debian', 'ubuntu']), suite: word() };
  const set = (k: string, v: unknown): void => { if (v !== undefined) r[k] = v; };
  set('arch', maybe(() => pick(rand, ['amd64', 'arm64'])));
  set('mirror', maybe(word));
  set('components', maybe(list));
  set('packages', maybe(list));
  set('remove', maybe(list));
  set('config', maybe(() => {
    const c: Record<string, unknown> = {};
    if (rand() < 0.5) c['cmd'] = list();
    if (rand() < 0.5) c['env'] = Object.fromEntries(list().map((w, i) => [`K${i}`, w]));
    if (rand() < 0.5) c['expose'] = [80, '53/udp', word()];
    if (rand() < 0.5) c['labels'] = { [word()]: word() };
    return c;
  }));
  set('slim', maybe(() => rand() < 0.5));
  return r as unknown as Recipe;
}

test('round trip holds for 500 random recipes with awkward strings', () => {
  const rand = rng(7);
  for (let i = 0; i < 500; i++) {
    const recipe = randomRecipe(rand);
    const text = serializeRecipe(recipe, rand() < 0.5 ? 'comment: # with --- and\nnew lines' : undefined);
    assert.deepEqual(parseRecipe(text).value, recipe, text);
  }
});
