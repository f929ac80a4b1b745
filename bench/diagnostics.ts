// Diagnostics of a 1,000-line Dockerfile, in process, as the editor computes them on every change.
// Target: ≤ 5 ms median. Baseline: dockerfile-ast's parse alone, the floor any Dockerfile linter on it pays.
import { performance } from 'node:perf_hooks';
import { DockerfileParser } from 'dockerfile-ast';
import { lintDockerfile } from '../src/core/dockerfile/lint';

function dockerfile(lines: number): string {
  const out = ['ARG BASE=debian:bookworm'];
  for (let i = 0; out.length < lines; i++) {
    if (i % 100 === 0) out.push(i === 0 ? 'FROM ${BASE} AS s0' : `FROM gcc:12 AS s${i}`);
    else if (i % 10 === 0) out.push(`RUN apt-get update && apt-get install -y --no-install-recommends pkg${i} && rm -rf /var/lib/apt/lists/*`);
    else if (i % 10 === 5) out.push(`COPY --from=s0 /etc/os-release /tmp/${i}`);
    else out.push(`RUN echo ${i} > /tmp/${i}`);
  }
  return `${out.join('\n')}\n`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const text = dockerfile(1000);
const opts = { path: '/work/app/Dockerfile', fileExists: () => false };
for (let i = 0; i < 20; i++) { lintDockerfile(text, opts); DockerfileParser.parse(text); }
const ours: number[] = [];
const parse: number[] = [];
for (let i = 0; i < 100; i++) {
  let t = performance.now(); lintDockerfile(text, opts); ours.push(performance.now() - t);
  t = performance.now(); DockerfileParser.parse(text); parse.push(performance.now() - t);
}
const o = median(ours);
const p = median(parse);
console.log(`diagnostics of a ${text.split('\n').length - 1}-line Dockerfile (${lintDockerfile(text, opts).length} diagnostics), 100 interleaved runs`);
console.log(`  ownbase lintDockerfile  median ${o.toFixed(2)} ms (target ≤ 5 ms)`);
console.log(`  dockerfile-ast parse    median ${p.toFixed(2)} ms`);
console.log(`  ratio lint/parse = ${(o / p).toFixed(2)}×`);

// Growth with size, as the editor works: lint on each change (no fixes), then the fixes of one diagnostic when a
// code action is asked for, and fix-all's safe fixes. A linear linter takes ~2× for twice the input, a quadratic one
// ~4×. Many FROMs (OB101 on each) and a recipe listing one package thousands of times (OB207).
// Before fixes moved to code-action time (same machine, loaded): 2,000 FROMs 22.3 s / 758 MB (t(2000)/t(1000) 4.8×),
// 8,000 out of memory; 5,000 duplicate packages 35 s (t(5000)/t(2500) 3.9×).
import { fixesOf, lintText } from '../src/core/lint';

function manyFroms(n: number): string {
  return Array.from({ length: n }, (_, i) => `FROM img${i % 50}:1 AS s${i}\nRUN echo ${i}\n`).join('');
}
function duplicates(n: number): string {
  return `image: a/b:1\ndistro: debian\nsuite: bookworm\npackages:\n${'  - curl\n'.repeat(n)}`;
}
function timed(f: () => unknown): { ms: number; out: unknown } {
  const t = performance.now();
  const out = f();
  return { ms: performance.now() - t, out };
}
const growth = (label: string, sizes: number[], make: (n: number) => string, kind: 'dockerfile' | 'recipe') => {
  const ms: number[] = [];
  for (const n of sizes) {
    const text = make(n);
    const r = timed(() => {
      const ds = lintText(kind, text, { ...opts, fixes: false });
      fixesOf(kind, text, [ds[ds.length - 1]!], opts); // one quick-fix request
      fixesOf(kind, text, ds, opts, true); // fix-all on save
      return ds;
    });
    const count = (r.out as unknown[]).length;
    const heap = process.memoryUsage().heapUsed / 1e6;
    ms.push(r.ms);
    console.log(`  ${label} n=${n}: ${r.ms.toFixed(0)} ms, ${count} diagnostics, heap ${heap.toFixed(0)} MB`);
  }
  for (let i = 1; i < sizes.length; i++) {
    console.log(`  ratio t(${sizes[i]})/t(${sizes[i - 1]}) = ${(ms[i]! / ms[i - 1]!).toFixed(2)}× (linear ≈ ${(sizes[i]! / sizes[i - 1]!).toFixed(1)}×)`);
  }
};
const FROMS = (process.env.BENCH_FROMS ?? '1000,2000,4000,8000').split(',').map(Number);
const DUPS = (process.env.BENCH_DUPS ?? '2500,5000,10000').split(',').map(Number);
console.log('lint, one code-action request and fix-all, as the editor does:');
growth('FROMs', FROMS, manyFroms, 'dockerfile');
growth('duplicate packages', DUPS, duplicates, 'recipe');
