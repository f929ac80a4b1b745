// The arrows of ARCHITECTURE.md, checked on the source: which folder may import which, and no import cycle,
// not even a type-only one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const SRC = join(ROOT, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : /\.ts$/.test(n) && !n.endsWith('.d.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s*'([^']+)'/g;

/** Each source file's imports: relative ones resolved to files, bare ones as written. */
function importsOf(file: string): { local: string[]; bare: string[] } {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const local: string[] = [];
  const bare: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith('.')) { bare.push(spec); continue; }
    const base = resolve(dirname(file), spec);
    const hit = [`${base}.ts`, join(base, 'index.ts'), base].find((p) => existsSync(p) && statSync(p).isFile());
    if (hit) local.push(hit);
  }
  return { local, bare };
}

const files = walk(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string): string => relative(ROOT, f);
const inside = (f: string, dir: string): boolean => rel(f).startsWith(`${dir}/`);

test('src/core never imports vscode, the extension or the CLI', () => {
  const bad: string[] = [];
  for (const [f, { local, bare }] of graph) {
    if (!inside(f, 'src/core')) continue;
    if (bare.includes('vscode')) bad.push(`${rel(f)} imports vscode`);
    for (const t of local) if (!inside(t, 'src/core')) bad.push(`${rel(f)} imports ${rel(t)}`);
  }
  assert.deepEqual(bad, []);
});

test('the kernel imports only the kernel and Node built-ins', () => {
  const bad: string[] = [];
  for (const [f, { local, bare }] of graph) {
    if (!inside(f, 'src/core/kernel')) continue;
    for (const t of local) if (!inside(t, 'src/core/kernel')) bad.push(`${rel(f)} imports ${rel(t)}`);
    for (const b of bare) if (!b.startsWith('node:')) bad.push(`${rel(f)} imports ${b}`);
  }
  assert.deepEqual(bad, []);
});

test('the recipe is read before it is built: src/core/recipe never imports src/core/build or src/core/run', () => {
  const bad = [...graph].filter(([f]) => inside(f, 'src/core/recipe')).flatMap(([f, { local }]) =>
    local.filter((t) => inside(t, 'src/core/build') || inside(t, 'src/core/run')).map((t) => `${rel(f)} imports ${rel(t)}`));
  assert.deepEqual(bad, []);
});

test('the CLI never imports the extension', () => {
  const bad = [...graph].filter(([f]) => inside(f, 'src/cli')).flatMap(([f, { local }]) => local.filter((t) => inside(t, 'src/extension')).map((t) => `${rel(f)} imports ${rel(t)}`));
  assert.deepEqual(bad, []);
});

test('no import cycle in src, type-only imports included', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') { cycles.push([...path.slice(path.indexOf(f)), f].map(rel).join(' -> ')); return; }
    state.set(f, 'open');
    for (const t of graph.get(f)?.local ?? []) visit(t, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  assert.deepEqual(cycles, []);
});

test('the import scanner sees static, type-only, re-exported and dynamic imports', () => {
  // Guard against a scanner that finds nothing and so passes everything above.
  const lintIndex = graph.get(join(SRC, 'core/lint/index.ts'))!;
  assert.ok(lintIndex.local.some((t) => t.endsWith('core/lint/lintWith.ts')));
  const cliLint = graph.get(join(SRC, 'cli/lint.ts'))!;
  assert.ok(cliLint.local.some((t) => t.endsWith('core/recipe/lint.ts')), 'dynamic import() is seen');
  assert.ok(files.length > 100);
});
