// Runs every benchmark in bench/ and prints its figures. Benchmarks never fail the tests.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';

const here = dirname(new URL(import.meta.url).pathname);
const only = process.argv.slice(2);
execFileSync(process.execPath, [join(here, '..', 'scripts', 'build.mjs'), '--tests'], { stdio: 'inherit' });
const benches = [
  ...readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs').map((f) => join(here, f)),
  ...readdirSync(here).filter((f) => f.endsWith('.ts')).map((f) => join(here, '..', 'out', 'bench', f.replace(/\.ts$/, '.js'))),
].filter((p) => only.length === 0 || only.some((o) => p.includes(o)));
for (const b of benches) {
  console.log(`\n== ${b.split('/').slice(-1)[0]}`);
  try { execFileSync(process.execPath, [b], { stdio: 'inherit' }); } catch { console.log(`(bench ${b} failed; see above)`); }
}
