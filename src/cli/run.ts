/** The `ownbase` command: one table of subcommands, each in its own file. */
import type { CliIO, Subcommand } from './subcommand';

export type { CliIO, Subcommand } from './subcommand';
export { UsageError } from './usageError';

// One line per subcommand; each lives in its own file and exports `command`.
const commands: Record<string, () => Promise<Subcommand>> = {
  lint: () => import('./lint').then((m) => m.command),
  build: () => import('./build').then((m) => m.command),
  lock: () => import('./build').then((m) => m.lockCommand),
  verify: () => import('./verify').then((m) => m.command),
  outdated: () => import('./outdated').then((m) => m.command),
  script: () => import('./script').then((m) => m.command),
  inspect: () => import('./inspect').then((m) => m.command),
  needs: () => import('./needs').then((m) => m.command),
  test: () => import('./test').then((m) => m.command),
};

function help(): string {
  return `usage: ownbase <command> [options]\n\ncommands: ${Object.keys(commands).join(', ')}\n\nRun 'ownbase <command> --help' for a command's options.\n`;
}

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { io.stdout.write(help()); return name ? 0 : 2; }
  if (name === '--version') { io.stdout.write(`${process.env.OWNBASE_VERSION ?? 'dev'}\n`); return 0; }
  const load = commands[name];
  if (!load) { io.stderr.write(`ownbase: unknown command '${name}'\n${help()}`); return 2; }
  const cmd = await load();
  if (rest.includes('--help') || rest.includes('-h')) { io.stdout.write(`${cmd.usage}\n`); return 0; }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof Error && err.name === 'UsageError') { io.stderr.write(`ownbase ${name}: ${err.message}\n${cmd.usage}\n`); return 2; }
    throw err;
  }
}
