// Diagnostics of a typical recipe, in process, as the editor computes them on every change (target: well under
// 1 ms). Baseline: the YAML parse alone (yaml's parseDocument), the floor of any recipe linter on it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { nodeHostProbe } from '../src/core/build/hostProbe';
import { lintRecipe } from '../src/core/recipe';

const text = readFileSync(join(__dirname, '..', '..', 'examples', 'bookworm-slim.ownbase.yaml'), 'utf8');
const host = nodeHostProbe();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (let i = 0; i < 200; i++) { lintRecipe(text, { host }); parseDocument(text); }
const ours: number[] = [];
const parse: number[] = [];
for (let b = 0; b < 21; b++) {
  let t = performance.now();
  for (let i = 0; i < 50; i++) lintRecipe(text, { host });
  ours.push((performance.now() - t) / 50);
  t = performance.now();
  for (let i = 0; i < 50; i++) parseDocument(text, { keepSourceTokens: true });
  parse.push((performance.now() - t) / 50);
}
console.log(`diagnostics of examples/bookworm-slim.ownbase.yaml (${text.split('\n').length} lines), 21 interleaved batches of 50`);
console.log(`  ownbase lintRecipe   median ${median(ours).toFixed(3)} ms (target < 1 ms)`);
console.log(`  yaml parseDocument   median ${median(parse).toFixed(3)} ms`);
console.log(`  ratio lint/parse = ${(median(ours) / median(parse)).toFixed(2)}×`);
