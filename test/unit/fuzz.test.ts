import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic, Range } from '../../src/core/kernel/diagnostic';
import type { FileKind } from '../../src/core/kernel/fileKind';
import { kindByName } from '../../src/core/kernel/fileKind';
import { lintText } from '../../src/core/lint';
import { LineIndex } from '../../src/core/kernel/text';

/** A small seeded PRNG so a failure reproduces: the seed is in the assertion message. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

function corpus(dir: string): { kind: FileKind; text: string }[] {
  const out: { kind: FileKind; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { out.push(...corpus(p)); continue; }
    const kind = kindByName(p);
    if (kind) out.push({ kind, text: readFileSync(p, 'utf8') });
  }
  return out;
}

const FRAGMENTS = [
  'FROM ', 'from ', 'AS ', 'ARG ', '${X}', '$Y', '${Z:-d}', ':', '@sha256:', '--platform=', 'COPY --from=', 'RUN ',
  '<<EOF\n', '\nEOF\n', '\\\n', '`\n', '# escape=`\n', '# ownbase-ignore OB101\n', '\r\n', '\n', '"', "'", '[', ']',
  'image: ', 'distro: ', 'suite: ', 'packages:\n  - ', 'remove: [', 'config:\n  env: {', ': ', '- ', '&a ', '*a', '---\n',
  'cat > Dockerfile <<EOF\n', '\t', ' ', 'ubuntu', 'scratch', 'multiarch/qemu-user-static', 'qemu-aarch64-static', '\u0000', '\uffff', '😀',
];

function mutate(base: string, r: () => number): string {
  let text = base;
  const ops = 1 + Math.floor(r() * 6);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(r() * (text.length + 1));
    const op = Math.floor(r() * 5);
    if (op === 0) text = text.slice(0, at); // truncation
    else if (op === 1) text = text.slice(0, at) + FRAGMENTS[Math.floor(r() * FRAGMENTS.length)]! + text.slice(at);
    else if (op === 2) text = text.slice(0, at) + text.slice(at + Math.floor(r() * 20));
    else if (op === 3) text = text.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x3000)) + text.slice(at);
    else text = text.slice(at) + text.slice(0, at);
  }
  return text;
}

function randomBytes(r: () => number): string {
  const n = Math.floor(r() * 300);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(r() * 256));
  return s;
}

function assertInside(range: Range, lines: LineIndex, where: string): void {
  for (const p of [range.start, range.end]) {
    assert.ok(p.line >= 0 && p.line < lines.lineCount, `${where}: line ${p.line} outside 0..${lines.lineCount - 1}`);
    assert.ok(p.character >= 0 && p.character <= lines.lineText(p.line).length, `${where}: character ${p.character} outside line ${p.line}`);
  }
  assert.ok(range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character), `${where}: range ends before it starts`);
}

function check(kind: FileKind, text: string, where: string): Diagnostic[] {
  let ds: Diagnostic[] = [];
  try {
    ds = lintText(kind, text, { path: '/work/x/Dockerfile', fileExists: () => false });
  } catch (err) {
    assert.fail(`${where}: ${(err as Error).stack}\ninput: ${JSON.stringify(text)}`);
  }
  const lines = new LineIndex(text);
  for (const d of ds) {
    assertInside(d.range, lines, `${where} ${d.code}`);
    for (const f of d.fixes ?? []) for (const c of f.changes) if (!c.path) for (const e of c.edits ?? []) assertInside(e.range, lines, `${where} ${d.code} fix '${f.title}'`);
  }
  return ds;
}

const KINDS: FileKind[] = ['dockerfile', 'recipe', 'shell'];

test('10,000 generated and mutated files: no exception, every range inside its document', () => {
  const seeds = corpus(join(__dirname, '../../../examples'));
  assert.ok(seeds.length >= 5, 'the examples are the seed corpus');
  let n = 0;
  for (let seed = 1; n < 10_000; seed++) {
    const r = rng(seed);
    const kind = KINDS[seed % 3]!;
    const base = seeds.filter((s) => s.kind === kind);
    const text = seed % 7 === 0 ? randomBytes(r) : mutate(base[Math.floor(r() * base.length)]?.text ?? '', r);
    check(kind, text, `seed ${seed} (${kind})`);
    n++;
  }
});

test('deep continuations and 10,000-line files lint without exception', () => {
  const deep = `FROM debian:bookworm\nRUN echo \\\n${'  a \\\n'.repeat(5000)}  end\n`;
  const ds = check('dockerfile', deep, 'deep continuation');
  assert.deepEqual(ds.filter((d) => d.code === 'OB101'), []);
  const long = Array.from({ length: 10_000 }, (_, i) => (i % 50 === 0 ? `FROM debian:bookworm AS s${i}` : `RUN echo ${i}`)).join('\n');
  const longDs = check('dockerfile', long, '10,000 lines');
  assert.equal(longDs.filter((d) => d.code === 'OB101').length, 199);
  check('recipe', `image: a/b:1\ndistro: debian\nsuite: bookworm\npackages:\n${'  - curl\n'.repeat(10_000)}`, '10,000-line recipe');
  check('shell', 'cat > Dockerfile <<EOF\n' + 'FROM $X\n'.repeat(10_000), 'unterminated heredoc');
});
