// ownbase lint vs dockerfilelint on the same corpus (the examples plus generated Dockerfiles), interleaved in one
// run; prints medians and the ratio (target ≤ 0.5×). Whole processes are timed: that is what CI pays for.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, readdirSync, statSync, copyFileSync } from 'node:fs';
import { join, basename, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const GENERATED = Number(process.env.BENCH_FILES ?? 200);
const root = join(dirname(new URL(import.meta.url).pathname), '..');
const work = join(root, 'bench', '.work', 'lint-corpus');

function makeCorpus() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  for (const f of walk(join(root, 'examples')).filter((p) => /Dockerfile/.test(basename(p)))) {
    copyFileSync(f, join(work, `${basename(dirname(f))}.Dockerfile`));
  }
  const bases = ['debian:bookworm', 'ubuntu:22.04', 'gcc:12', 'golang:1.22', 'node:20', 'python:3.12-slim', 'busybox:glibc'];
  for (let i = 0; i < GENERATED; i++) {
    const lines = ['# syntax=docker/dockerfile:1', `ARG BASE=${bases[i % bases.length]}`];
    const stages = 1 + (i % 3);
    for (let s = 0; s < stages; s++) {
      lines.push(s === 0 ? 'FROM ${BASE} AS s0' : `FROM ${bases[(i + s) % bases.length]} AS s${s}`);
      for (let k = 0; k < 20; k++) lines.push(k % 5 === 0 ? `RUN apt-get update && apt-get install -y --no-install-recommends pkg${k} \\\n    pkg${k + 1} && rm -rf /var/lib/apt/lists/*` : `RUN echo step ${k} > /tmp/f${k}`);
      if (s > 0) lines.push(`COPY --from=s${s - 1} /tmp /tmp/s${s - 1}`);
    }
    lines.push('CMD ["/bin/sh"]');
    writeFileSync(join(work, `gen${i}.Dockerfile`), `${lines.join('\n')}\n`);
  }
  return readdirSync(work).map((f) => join(work, f));
}

function time(cmd, args) {
  const t = performance.now();
  try { execFileSync(cmd, args, { stdio: 'ignore' }); } catch (e) { if (e.status === undefined) throw e; }
  return performance.now() - t;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const files = makeCorpus();
const ours = [];
const theirs = [];
for (let r = 0; r < ROUNDS; r++) {
  ours.push(time(process.execPath, [join(root, 'dist', 'cli.js'), 'lint', '--format', 'json', work]));
  theirs.push(time(process.execPath, [join(root, 'node_modules', 'dockerfilelint', 'bin', 'dockerfilelint'), '-j', ...files]));
}
const o = median(ours);
const t = median(theirs);
console.log(`lint corpus: ${files.length} Dockerfiles, ${ROUNDS} interleaved rounds`);
console.log(`  ownbase lint     median ${o.toFixed(0)} ms`);
console.log(`  dockerfilelint   median ${t.toFixed(0)} ms`);
console.log(`  ratio ownbase/dockerfilelint = ${(o / t).toFixed(2)}× (target ≤ 0.50×)`);
