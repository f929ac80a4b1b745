import * as vscode from 'vscode';
import { BuildEventDecoder, type BuildEvent, type ErrorEvent, type ResultEvent } from '../../core/run/events';
import { exitStatus, interruptThenTerminate, startProcess, type GroupProcess } from '../../core/run/process';
import { renderBuildEvent } from '../../core/run/render';
import type { Launch } from './cliLaunch';
import { CliPseudoterminal } from './cliPseudoterminal';
import type { RunRegistry } from './runs';

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
  /** Each build event the CLI wrote (`--progress json`), checked against the schema. */
  readonly onEvent?: (e: BuildEvent) => void;
  /** The terminal, as soon as it exists. */
  readonly onTerminal?: (t: vscode.Terminal) => void;
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
  /** The build's result event (image ID, sizes, archive). */
  readonly result?: ResultEvent;
  /** The build's error event: why it stopped, with a stable code. */
  readonly error?: ErrorEvent;
  readonly terminal: vscode.Terminal;
}

const MAX_TRANSCRIPT = 4 * 1024 * 1024;

/**
 * Runs a CLI invocation in the integrated terminal with a cancellable progress notification that
 * names the current step. The CLI's build events are rendered by the CLI's own text renderer; any
 * other output (sudo's prompt, early errors) is shown as it comes. Resolves with the exit code when
 * the process ends; the terminal stays until a key is pressed in it.
 */
export function runInTerminal(o: TerminalRunOptions): Promise<TerminalRunResult> {
  let transcript = '';
  const record = (text: string): void => {
    transcript += text;
    if (transcript.length > MAX_TRANSCRIPT) transcript = transcript.slice(-MAX_TRANSCRIPT / 2);
  };
  const progressSeen: string[] = [];
  let result: ResultEvent | undefined;
  let error: ErrorEvent | undefined;
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
  const onEvent = (e: BuildEvent): void => {
    for (const c of renderBuildEvent(e)) { pty.chunk(c); record(c.text); }
    if (e.type === 'step-start') {
      if (e.phase === 'main') {
        const message = `[${e.index}/${e.total}] ${e.title}`;
        progressSeen.push(message);
        const target = ((e.index - 1) / e.total) * 100;
        report(message, target - done);
        done = target;
      } else {
        report(`cleanup: ${e.title}`);
      }
    } else if (e.type === 'result') {
      result = e;
    } else if (e.type === 'error') {
      error = e;
    }
    try { o.onEvent?.(e); } catch { /* a listener's bug must not stop the terminal */ }
  };
  const show = (text: string): void => { pty.output(text); record(text); };
  const stdout = new BuildEventDecoder();
  const take = (items: readonly (BuildEvent | string)[]): void => {
    for (const item of items) if (typeof item === 'string') show(item); else onEvent(item);
  };
  proc = startProcess(o.launch.argv, {
    cwd: o.cwd,
    env: o.launch.env,
    stdin: 'pipe',
    cancelSignals: interruptThenTerminate(o.termAfterMs, o.killAfterMs),
    onOutput: (stream, text) => {
      if (stream === 'stdout') take(stdout.push(text));
      else show(text);
    },
  });
  const terminal = vscode.window.createTerminal({ name: o.name, pty, iconPath: new vscode.ThemeIcon('package'), isTransient: true });
  terminal.show(true);
  o.onTerminal?.(terminal);
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
    take(stdout.flush());
    registration.dispose();
    if (exit.spawnError !== undefined) {
      const line = `ownbase: could not start ${o.launch.argv[0]}: ${exit.spawnError}${o.launch.elevated ? ' (set ownbase.build.elevationCommand)' : ''}`;
      pty.note(line);
      record(`${line}\n`);
    }
    const code = exitStatus(exit);
    pty.exited(code);
    return {
      exitCode: code, cancelled: running.cancelling, output: transcript, progress: progressSeen,
      ...(result !== undefined && { image: result.tag, result }), ...(error !== undefined && { error }), terminal,
    };
  });
}
