/**
 * A mistake in the command line: runCli answers it with the usage and exit 2. Recognised by name, since each
 * subcommands bundle (dist/cli-commands.js) carries its own copy of the class.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
