import * as vscode from 'vscode';
import type { Launch } from './cliLaunch';
import { CliPseudoterminal } from './cliPseudoterminal';
import { GroupProcess } from './groupProcess';
import type { RunRegistry } from './runs';
import { LineSplitter, parseStepLine } from './stepLines';

export interface TerminalRunOptions {
  /** The terminal's name. */
  readonly name: string;
  /** The progress notification's title. */
  readonly title: string;
  readonly launch: Launch;
  readonly cwd: string;
  readonly runs: RunRegistry;
  /** Grace periods after a cancel (tests shorten them). */
  readonly termAfterMs?: number;
  readonly killAfterMs?: number;
}

export interface TerminalRunResult {
  /** The process's exit code (130: the CLI cancelled and cleaned up). */
  readonly exitCode: number;
  /** Cancel was asked for (notification, Cancel Build, Ctrl-C or the terminal closed). */
  readonly cancelled: boolean;
  /** What the terminal showed, as plain text. */
  readonly output: string;
  /** The steps the progress notification named, in order: `[2/5] bootstrap debian bookworm amd64 (mmdebstrap)`. */
  readonly progress: readonly string[];
  /** The image the run reported as built. */
  readonly image?: string;
  readonly terminal: vscode.Terminal;
}

const MAX_TRANSCRIPT = 4 * 1024 * 1024;

/**
 * Runs a CLI invocation in the integrated terminal with a cancellable progress notification that
 * names the current step. Resolves with the exit code when the process ends; the terminal stays
 * until a key is pressed in it.
 */
export function runInTerminal(o: TerminalRunOptions): Promise<TerminalRunResult> {
  let transcript = '';
  const record = (text: string): void => {
    transcript += text;
    if (transcript.length > MAX_TRANSCRIPT) transcript = transcript.slice(-MAX_TRANSCRIPT / 2);
  };
  const progressSeen: string[] = [];
  let image: string | undefined;
  let report: (message: string, increment?: number) => void = () => undefined;
  let done = 0;

  let proc: GroupProcess | undefined;
  const cancel = (reason: string): void => {
    if (!proc || proc.cancelling) return;
    const line = `ownbase: cancel (${reason}): SIGINT to the build, which stops its step and cleans up`;
    pty.note(line);
    record(`${line}\n`);
    report('cancelling: cleaning up…');
    proc.cancel();
  };
  const pty = new CliPseudoterminal({
    input: (text) => proc?.write(text),
    interrupt: () => cancel('Ctrl-C'),
    closed: () => cancel('terminal closed'),
  });

  const header = `$ ${o.launch.display}`;
  pty.note(header);
  record(`${header}\n`);
  const stdout = new LineSplitter();
  const onLine = (line: string): void => {
    const s = parseStepLine(line);
    if (!s) return;
    if (s.kind === 'step') {
      const message = `[${s.index}/${s.total}] ${s.title}`;
      progressSeen.push(message);
      const target = ((s.index - 1) / s.total) * 100;
      report(message, target - done);
      done = target;
    } else if (s.kind === 'cleanup') {
      report(`cleanup: ${s.title}`);
    } else {
      image = s.image;
    }
  };
  proc = new GroupProcess(o.launch.argv, {
    cwd: o.cwd,
    env: o.launch.env,
    ...(o.termAfterMs !== undefined && { termAfterMs: o.termAfterMs }),
    ...(o.killAfterMs !== undefined && { killAfterMs: o.killAfterMs }),
    onOutput: (stream, text) => {
      pty.output(text);
      record(text);
      if (stream === 'stdout') stdout.push(text).forEach(onLine);
    },
  });
  const terminal = vscode.window.createTerminal({ name: o.name, pty, iconPath: new vscode.ThemeIcon('package'), isTransient: true });
  terminal.show(true);
  const registration = o.runs.add({ name: o.name, cancel });

  const running = proc;
  return Promise.resolve(vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: o.title, cancellable: true },
    async (progress, token) => {
      report = (message, increment) => progress.report({ message, ...(increment !== undefined && { increment }) });
      const sub = token.onCancellationRequested(() => cancel('notification'));
      try {
        return await running.exited;
      } finally {
        sub.dispose();
      }
    },
  )).then((exit) => {
    stdout.flush().forEach(onLine);
    registration.dispose();
    if (exit.spawnError !== undefined) {
      const line = `ownbase: could not start ${o.launch.argv[0]}: ${exit.spawnError}${o.launch.elevated ? ' (set ownbase.build.elevationCommand)' : ''}`;
      pty.note(line);
      record(`${line}\n`);
    }
    pty.exited(exit.code);
    return {
      exitCode: exit.code, cancelled: running.cancelling, output: transcript, progress: progressSeen,
      ...(image !== undefined && { image }), terminal,
    };
  });
}
