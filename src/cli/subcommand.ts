/** What every subcommand gets and is: its own file exports `command`, the table in run.ts loads it. */
export interface CliIO {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly cwd: string;
  /** Aborted on Ctrl-C; long commands cancel and clean up. */
  readonly signal?: AbortSignal;
}

export interface Subcommand {
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[], io: CliIO): Promise<number>;
}
