import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { detectBuildHost } from '../core/build/host';
import { PlanError } from '../core/build/plan';
import { planToScript } from '../core/build/script';
import { parseBuildArgs, planFor, readRecipe } from './build';
import type { CliIO, Subcommand } from './subcommand';

const FLAGS = new Set(['--tag', '--builder', '--keep-rootfs', '--workdir', '--cache-dir', '--no-cache', '--out']);

const USAGE = `usage: ownbase script RECIPE [--out FILE] [--tag NAME] [--builder debootstrap|mmdebstrap]
                      [--keep-rootfs DIR] [--workdir DIR] [--cache-dir DIR] [--no-cache]

Prints the plan \`ownbase build\` would run here with the same options, as a sh script: set -eu, the
same commands step by step, and an EXIT trap that unmounts and cleans up as the runner does.
The mirror is the one this machine's apt uses (or the bootstrap tool's default).`;

export const command: Subcommand = {
  summary: 'print the build of a recipe as a POSIX shell script',
  usage: USAGE,
  run: (args, io) => script(args, io),
};

async function script(args: readonly string[], io: CliIO): Promise<number> {
  const a = parseBuildArgs(args, FLAGS);
  const out = a.out;
  const loaded = readRecipe(a.recipe, io);
  if (typeof loaded === 'number') return loaded;
  if (loaded.recipe.profile === 'runtime') {
    // Its image is staged from what the binaries need (src/cli/buildRuntime.ts); a base build's script would
    // make a different, far bigger image under the same name.
    io.stderr.write(`${loaded.display}: a runtime recipe has no script: its image holds only the files its binaries need, which ownbase build stages from the root it bootstraps (run ownbase build ${a.recipe})\n`);
    return 1;
  }
  let text: string;
  try {
    text = planToScript(planFor(loaded, a, detectBuildHost(), io).plan, { recipePath: loaded.display });
  } catch (e) {
    if (e instanceof PlanError) { io.stderr.write(`${loaded.display}: ${e.message}\n`); return 1; }
    throw e;
  }
  if (out === undefined) { io.stdout.write(text); return 0; }
  writeFileSync(resolve(io.cwd, out), text, { mode: 0o755 });
  io.stderr.write(`wrote ${resolve(io.cwd, out)}\n`);
  return 0;
}
