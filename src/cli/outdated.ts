import { spawnSync } from 'node:child_process';
import { readLockBeside, type LoadedLock } from '../core/build/lock';
import { detectBuildHost } from '../core/build/host';
import { outdatedPackages, type ArchiveIndex } from '../core/build/outdated';
import { updateSuites } from '../core/recipe/suites';
import { readRecipe } from './build';
import type { CliIO, Subcommand } from './subcommand';
import { UsageError } from './usageError';

const USAGE = `usage: ownbase outdated RECIPE

Compares the lock beside the recipe (NAME.ownbase.lock, see ownbase lock) with the archive's current Packages
indices: the release, its updates suite and its security suite. Lists every locked package with a newer version,
security updates first. Exit 0 none, 1 some (for CI), 2 the lock or the archive could not be read.`;

export const command: Subcommand = {
  summary: 'list the locked packages the archive has newer versions of (security first); exit 1 when any',
  usage: USAGE,
  run: (args, io) => outdated(args, io),
};

/** A suite's Packages index from an archive (the .xz every Debian and Ubuntu archive serves), as text. */
async function fetchPackages(mirror: string, suite: string, component: string, arch: string): Promise<string> {
  const url = `${mirror.replace(/\/+$/u, '')}/dists/${suite}/${component}/binary-${arch}/Packages.xz`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const xz = spawnSync('xz', ['-dc'], { input: Buffer.from(await res.arrayBuffer()), maxBuffer: 1 << 30 });
  if (xz.status !== 0) throw new Error(`${url}: xz -dc failed: ${xz.stderr?.toString().trim() || xz.error?.message}`);
  return xz.stdout.toString('utf8');
}

async function outdated(args: readonly string[], io: CliIO): Promise<number> {
  const files = args.filter((x) => !x.startsWith('-'));
  const flags = args.filter((x) => x.startsWith('-'));
  if (flags.length > 0) throw new UsageError(`unknown option '${flags[0]}'`);
  if (files.length !== 1) throw new UsageError('which recipe? e.g. examples/bookworm-slim.ownbase.yaml');
  const loaded = readRecipe(files[0]!, io);
  if (typeof loaded === 'number') return loaded === 1 ? 2 : loaded;
  let lock: LoadedLock | undefined;
  try {
    lock = readLockBeside(loaded.path);
  } catch (e) {
    io.stderr.write(`ownbase outdated: ${(e as Error).message}\n`);
    return 2;
  }
  if (!lock) { io.stderr.write(`ownbase outdated: no lock beside ${loaded.display}: write one with sudo ownbase lock ${files[0]}\n`); return 2; }
  const { recipe } = loaded;
  const host = detectBuildHost();
  const arch = lock.lock.packages.find((p) => p.arch !== 'all')?.arch ?? recipe.arch ?? host.hostArch;
  const defaults = host.toolDefaults(recipe.distro, arch);
  const mirror = lock.lock.archive.mirror ?? recipe.mirror ?? host.mirror(recipe.distro) ?? defaults.mirror;
  const securityMirror = recipe.security_mirror ?? host.securityMirror(recipe.distro) ?? defaults.security;
  if (mirror === undefined) { io.stderr.write(`ownbase outdated: no ${recipe.distro} mirror known: name one in the recipe\n`); return 2; }
  const { updates, security } = updateSuites(recipe.distro, lock.lock.archive.suite);
  const wanted: { suite: string; mirror: string; security: boolean }[] = [
    { suite: lock.lock.archive.suite, mirror, security: false },
    ...(updates !== undefined ? [{ suite: updates, mirror, security: false }] : []),
    ...(security !== undefined && securityMirror !== undefined ? [{ suite: security, mirror: securityMirror, security: true }] : []),
  ];
  let indices: ArchiveIndex[];
  try {
    indices = await Promise.all(wanted.flatMap((w) => lock!.lock.archive.components.map(async (c) => ({
      suite: w.suite, security: w.security, packages: await fetchPackages(w.mirror, w.suite, c, arch),
    }))));
  } catch (e) {
    io.stderr.write(`ownbase outdated: cannot read the archive: ${(e as Error).message}\n`);
    return 2;
  }
  const found = outdatedPackages(lock.lock, indices);
  const checked = `${lock.lock.packages.length} locked packages against ${wanted.map((w) => w.suite).join(', ')}`;
  if (found.length === 0) {
    io.stdout.write(`up to date: ${checked}\n`);
    return 0;
  }
  const sec = found.filter((f) => f.security).length;
  io.stdout.write(`${found.length} outdated (${sec} security update${sec === 1 ? '' : 's'}) of ${checked}:\n`);
  for (const f of found) io.stdout.write(`  ${f.security ? 'security ' : ''}${f.name} ${f.locked} -> ${f.newest} (${f.suite})\n`);
  io.stdout.write(`rebuild and lock again: sudo ownbase lock ${files[0]}\n`);
  return 1;
}
