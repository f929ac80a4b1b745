import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { formatTagName, parseTagName } from '../core/kernel/imageRef';
import { parseBuildArgs, readRecipe, runBuild } from './build';
import type { CliIO, Subcommand } from './subcommand';

const FLAGS = new Set(['--tag', '--builder', '--workdir', '--cache-dir', '--no-cache']);

const USAGE = `usage: ownbase verify RECIPE [--tag NAME] [--cache-dir DIR] [--workdir DIR] [--builder debootstrap|mmdebstrap] [--no-cache]

Rebuilds the recipe (as ownbase build --force, into a temporary tag) and compares the image ID and layer digest
with the existing image (the recipe's image name, or --tag). The same: exit 0. Different: the differing paths
(from the two layer tars, which it keeps for diffoscope) or config, exit 1. Needs root, like build.`;

export const command: Subcommand = {
  summary: 'rebuild a recipe and check it gives the same image (ID and layer digest)',
  usage: USAGE,
  run: (args, io) => verify(args, io),
};

const SHOWN = 40;

async function verify(args: readonly string[], io: CliIO): Promise<number> {
  const a = parseBuildArgs(args, FLAGS);
  const loaded = readRecipe(a.recipe, io);
  if (typeof loaded === 'number') return loaded;
  const target = formatTagName(parseTagName(a.tag ?? loaded.recipe.image));
  const { connectEngine } = await import('../core/engine/connect');
  const docker = connectEngine();
  const existing = await docker.getImage(target).inspect().catch(() => undefined);
  if (!existing) { io.stderr.write(`ownbase verify: no image ${target} to compare with: build it first (ownbase build ${a.recipe})\n`); return 1; }
  const tmp = `${parseTagName(target).repo}:ownbase-verify-${randomBytes(4).toString('hex')}`;
  const rest = [...(a.cacheDir !== undefined ? ['--cache-dir', a.cacheDir] : []), ...(a.workdir !== undefined ? ['--workdir', a.workdir] : []),
    ...(a.builder !== undefined ? ['--builder', a.builder] : []), ...(a.noCache ? ['--no-cache'] : [])];
  // The rootfs cache would replay the first build's rootfs: verify rebuilds it.
  const code = await runBuild([a.recipe, '--tag', tmp, '--force', '--no-rootfs-cache', ...rest], io);
  if (code !== 0) return code;
  try {
    const rebuilt = await docker.getImage(tmp).inspect();
    const [was, now] = [existing.RootFS?.Layers?.[0] ?? '?', rebuilt.RootFS?.Layers?.[0] ?? '?'];
    if (rebuilt.Id === existing.Id) {
      io.stdout.write(`\nverified: rebuilding ${a.recipe} gives ${target} again\n  image ID ${existing.Id}\n  layer    ${was}\n`);
      return 0;
    }
    io.stdout.write(`\nnot the same: rebuilding ${a.recipe} gives another image than ${target}\n  image ID ${existing.Id} (existing), ${rebuilt.Id} (rebuilt)\n  layer    ${was}${now === was ? ' (the same)' : `, ${now}`}\n`);
    if (now === was) {
      const labels = (l: Record<string, string> | null | undefined): Record<string, string> => l ?? {};
      const x = labels(existing.Config?.Labels);
      const y = labels(rebuilt.Config?.Labels);
      for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
        if (x[k] !== y[k]) io.stdout.write(`  label ${k}: ${x[k] ?? '(none)'} -> ${y[k] ?? '(none)'}\n`);
      }
      if (existing.Created !== rebuilt.Created) io.stdout.write(`  created: ${existing.Created} -> ${rebuilt.Created}\n`);
      return 1;
    }
    const { diffLayers, saveLayer } = await import('../core/engine/layerDiff');
    const dir = mkdtempSync('/var/tmp/ownbase-verify-');
    const [first, second] = [join(dir, 'existing.layer.tar'), join(dir, 'rebuilt.layer.tar')];
    await saveLayer(docker, existing.Id, first);
    await saveLayer(docker, tmp, second);
    const diffs = await diffLayers(first, second);
    io.stdout.write(`${diffs.length} path${diffs.length === 1 ? '' : 's'} differ:\n`);
    for (const d of diffs.slice(0, SHOWN)) {
      io.stdout.write(d.change === 'changed' ? `  ~ /${d.path}\n      ${d.was}\n      ${d.now}\n` : `  ${d.change === 'added' ? '+' : '-'} /${d.path}\n`);
    }
    if (diffs.length > SHOWN) io.stdout.write(`  … and ${diffs.length - SHOWN} more\n`);
    io.stdout.write(`the two layer tars are kept: compare their contents with\n  diffoscope ${first} ${second}\n`);
    return 1;
  } finally {
    // Only the temporary name goes: when the rebuild is the same image, the existing tag keeps it.
    await docker.getImage(tmp).remove().catch(() => undefined);
  }
}
