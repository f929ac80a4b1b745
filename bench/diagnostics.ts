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
