import { readLockBeside, type LoadedLock } from '../core/build/lock';
import { detectBuildHost } from '../core/build/host';
import { checkOutdated, type OutdatedCheck } from '../core/build/outdatedCheck';
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
  let check: OutdatedCheck;
  try {
    check = await checkOutdated(loaded.recipe, lock.lock, detectBuildHost());
  } catch (e) {
    io.stderr.write(`ownbase outdated: ${(e as Error).message}\n`);
    return 2;
  }
  const { found } = check;
  const checked = `${lock.lock.packages.length} locked packages against ${check.suites.join(', ')}`;
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
