import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic, Range } from '../../src/core/kernel/diagnostic';
import type { FileKind } from '../../src/core/kernel/fileKind';
import { kindByName } from '../../src/core/kernel/fileKind';
import { fixesOf, lintText } from '../../src/core/lint';
import { applyEdits, decodeUtf8, type DecodedText } from '../../src/core/kernel/text';
import { rng } from './rng';


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
  '<<EOF\n', '\nEOF\n', '\\\n', '`\n', '# escape=`\n', '# ownbase-ignore OB101\n', '\r\n', '\n', '\r', ' \\\r', '"', "'", '[', ']',
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

/** Random bytes, with line ends (\n, \r) and ASCII words mixed in so that some lines look like instructions. */
function randomBytes(r: () => number): Uint8Array {
  const n = Math.floor(r() * 300);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.05) out.push(10); else if (x < 0.08) out.push(13);
    else if (x < 0.12) out.push(...Buffer.from(['FROM ', 'RUN ', 'image: ', 'COPY --from=', 'a:1 '][Math.floor(r() * 5)]!));
    else out.push(Math.floor(r() * 256));
  }
  return Uint8Array.from(out);
}

/** The lines as the editor counts them (\r\n, \n or a lone \r), independent of the LineIndex under test. */
const editorLines = (text: string): string[] => text.split(/\r\n|\r|\n/);

function assertInside(range: Range, lines: readonly string[], where: string): void {
  for (const p of [range.start, range.end]) {
    assert.ok(p.line >= 0 && p.line < lines.length, `${where}: line ${p.line} outside 0..${lines.length - 1}`);
    assert.ok(p.character >= 0 && p.character <= lines[p.line]!.length, `${where}: character ${p.character} outside line ${p.line}`);
  }
  assert.ok(range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character), `${where}: range ends before it starts`);
}

/**
 * Runs `f` without stack traces (the YAML parser makes an Error for each problem it reports; their stacks were most
 * of the fuzz's time); should it throw, runs it again with stacks for the report.
 */
function quietly<T>(f: () => T, where: string, input: string): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try { return f(); } catch {
    Error.stackTraceLimit = limit;
    try { f(); } catch (err) { assert.fail(`${where}: ${(err as Error).stack}\ninput: ${JSON.stringify(input.slice(0, 2000))}`); }
    assert.fail(`${where}: threw once, not twice\ninput: ${JSON.stringify(input.slice(0, 2000))}`);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

const OPTIONS = { path: '/work/x/Dockerfile', fileExists: () => false };

/**
 * Lints without exception, every range inside the document; with `fixesToo`, the fixes of up to two diagnostics are
 * computed as the editor asks for them: every edit inside the document, the edited text lints without exception.
 */
function check(kind: FileKind, text: string, where: string, r: () => number, fixesToo: boolean, decoded?: DecodedText): Diagnostic[] {
  const options = { ...OPTIONS, fixes: false, ...(decoded?.invalidUtf8 && { invalidUtf8: decoded.invalidUtf8 }) };
  const ds = quietly(() => lintText(kind, text, options), where, text);
  const lines = editorLines(text);
  for (const d of ds) {
    assertInside(d.range, lines, `${where} ${d.code}`);
    for (const rel of d.related ?? []) assertInside(rel.range, lines, `${where} ${d.code} related`);
    assert.ok(d.message.length < 2000, `${where} ${d.code}: a message of ${d.message.length} characters`);
  }
  if (!fixesToo || ds.length === 0) return ds;
  const picked = [ds[Math.floor(r() * ds.length)]!, ds[Math.floor(r() * ds.length)]!];
  const fixes = quietly(() => fixesOf(kind, text, picked, OPTIONS), `${where} fixes`, text);
  for (const [i, list] of fixes.entries()) {
    for (const f of list) {
      const label = `${where} ${picked[i]!.code} fix '${f.title}'`;
      const edits = f.changes.flatMap((c) => (c.path ? [] : c.edits ?? []));
      for (const e of edits) assertInside(e.range, lines, label);
      const fixed = applyEdits(text, edits);
      quietly(() => lintText(kind, fixed, { ...OPTIONS, fixes: false }), `${label}: the fixed text`, fixed);
      for (const c of f.changes) if (c.create) quietly(() => lintText('recipe', c.create!.newText, { fixes: false }), `${label}: the created file`, c.create.newText);
    }
  }
  return ds;
}

/** Dockerfiles twice as often: most rules and every fix are theirs. */
const KINDS: FileKind[] = ['dockerfile', 'recipe', 'dockerfile', 'shell'];

/** A file of thousands of stages: FROMs of images, stages and ARGs, COPY --from, installs. */
function manyStages(r: () => number, stages: number, eol: string): string {
  const out: string[] = ['ARG BASE=debian:bookworm'];
  for (let i = 0; i < stages; i++) {
    const from = [`img${Math.floor(r() * 40)}:1`, '${BASE}', `s${Math.floor(r() * (i + 1))}`, 'scratch', 'multiarch/qemu-user-static', 'gcc:12'][Math.floor(r() * 6)];
    out.push(`FROM ${from} AS s${i}`);
    if (r() < 0.5) out.push(`RUN apt-get update && apt-get install -y pkg${i}`);
    if (r() < 0.3 && i > 0) out.push(`COPY --from=s${Math.floor(r() * i)} /usr/bin/qemu-aarch64-static /a${i}`);
  }
  return out.join(eol) + eol;
}

test('20,000 generated and mutated files: no exception, every range and fix edit inside its document', () => {
  const seeds = corpus(join(__dirname, '../../../examples'));
  assert.ok(seeds.length >= 5, 'the examples are the seed corpus');
  // Seeds 1..20,000; a failure names its seed, and `one(seed, rng(seed), KINDS[seed % 4]!)` replays it.
  for (let seed = 1; seed <= 20_000; seed++) one(seed, rng(seed), KINDS[seed % 4]!);
  function one(seed: number, r: () => number, kind: FileKind) {
    const where = `seed ${seed} (${kind})`;
    if (seed % 5000 === 0) { // thousands of stages, with each line end
      const eol = ['\n', '\r\n', '\r'][(seed / 5000) % 3]!;
      check('dockerfile', manyStages(r, 1000 + Math.floor(r() * 1000), eol), `${where} many stages`, r, true);
      return;
    }
    const base = seeds.filter((s) => s.kind === kind);
    if (seed % 7 === 0) { // bytes that are mostly not UTF-8, decoded as the CLI decodes them
      const decoded = decodeUtf8(randomBytes(r));
      check(kind, decoded.text, `${where} bytes`, r, r() < 0.1, decoded);
      return;
    }
    let text = mutate(base[Math.floor(r() * base.length)]?.text ?? '', r);
    if (seed % 11 === 0) text = text.replace(/\r?\n/g, '\r'); // CR-only line ends
    check(kind, text, where, r, r() < 0.1);
  }
});

test('deep continuations and 10,000-line files lint without exception', () => {
  const r = rng(1);
  const deep = `FROM debian:bookworm\nRUN echo \\\n${'  a \\\n'.repeat(5000)}  end\n`;
  const ds = check('dockerfile', deep, 'deep continuation', r, true);
  assert.deepEqual(ds.filter((d) => d.code === 'OB101'), []);
  const long = Array.from({ length: 10_000 }, (_, i) => (i % 50 === 0 ? `FROM debian:bookworm AS s${i}` : `RUN echo ${i}`)).join('\n');
  const longDs = check('dockerfile', long, '10,000 lines', r, true);
  assert.equal(longDs.filter((d) => d.code === 'OB101').length, 199);
  check('recipe', `image: a/b:1\ndistro: debian\nsuite: bookworm\npackages:\n${'  - curl\n'.repeat(10_000)}`, '10,000-line recipe', r, true);
  check('shell', 'cat > Dockerfile <<EOF\n' + 'FROM $X\n'.repeat(10_000), 'unterminated heredoc', r, true);
});
