import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';

/** One signal of a cancel, sent to the whole process group `afterMs` after the cancel. */
export interface CancelSignal {
  readonly signal: NodeJS.Signals;
  readonly afterMs: number;
}

/** How the CLI's runner stops a step: SIGTERM to its group, SIGKILL after the grace period. */
export const terminateThenKill = (graceMs = 5000): readonly CancelSignal[] => [
  { signal: 'SIGTERM', afterMs: 0 }, { signal: 'SIGKILL', afterMs: graceMs },
];

/**
 * How a face stops the CLI: SIGINT once (the CLI then stops its running step and undoes its mounts;
 * a second SIGINT would make it leave at once), SIGTERM and SIGKILL only if it has not ended by then.
 */
export const interruptThenTerminate = (termAfterMs = 20_000, killAfterMs = 40_000): readonly CancelSignal[] => [
  { signal: 'SIGINT', afterMs: 0 }, { signal: 'SIGTERM', afterMs: termAfterMs }, { signal: 'SIGKILL', afterMs: killAfterMs },
];

export interface StartOptions {
  readonly cwd?: string;
  /** The whole environment; default: this process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `pipe`: `write()` feeds it (a password for sudo -S). Default `ignore`. */
  readonly stdin?: 'pipe' | 'ignore';
  readonly onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** What `cancel()` sends; default terminateThenKill(5000). */
  readonly cancelSignals?: readonly CancelSignal[];
  /** Aborting it is `cancel()`. */
  readonly signal?: AbortSignal;
  /** How long to wait, after the exit, for the group's last members to be gone. Default 2000. */
  readonly drainMs?: number;
}

export interface ProcessExit {
  /** null when a signal ended it, or it could not start. */
  readonly exitCode: number | null;
  readonly signal?: NodeJS.Signals;
  /** Cancel was asked for. */
  readonly cancelled: boolean;
  /** Why it could not start (`spawn sudo ENOENT`). */
  readonly spawnError?: string;
}

/** The exit status a shell would report: the code, 128 + the signal's number, or 127 when it could not start. */
export function exitStatus(exit: ProcessExit): number {
  if (exit.spawnError !== undefined) return 127;
  if (exit.exitCode !== null) return exit.exitCode;
  return 128 + (exit.signal ? constants.signals[exit.signal] ?? 0 : 0);
}

function signalGroup(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch (e) {
    // ESRCH: the group is gone. EPERM: its members run as another user (root, under sudo): still there.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (polling, with a deadline) until no member of the group is left. */
async function drained(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (signalGroup(pid, 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/**
 * A process in its own process group (its own session), its output streamed as text (multi-byte
 * characters kept whole). Whatever happens, no member of its group outlives `exited`: stragglers
 * left by a finished leader (a daemon a step started) are killed, and `exited` waits until they
 * are gone. The one process runner of ownbase: the CLI runs its steps with it, the extension the CLI.
 */
export class GroupProcess {
  readonly exited: Promise<ProcessExit>;
  private readonly child;
  private readonly timers: NodeJS.Timeout[] = [];
  private cancelRequested = false;
  private done = false;

  constructor(argv: readonly string[], private readonly opts: StartOptions = {}) {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('empty argv');
    this.child = spawn(file, args, {
      detached: true, stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
      ...(opts.cwd !== undefined && { cwd: opts.cwd }), ...(opts.env !== undefined && { env: { ...opts.env } }),
    });
    this.child.stdin?.on('error', () => undefined); // EPIPE when it exits while input is written
    for (const name of ['stdout', 'stderr'] as const) {
      const decoder = new StringDecoder('utf8');
      this.child[name]?.on('data', (chunk: Buffer) => { const t = decoder.write(chunk); if (t) opts.onOutput?.(name, t); });
      this.child[name]?.on('end', () => { const t = decoder.end(); if (t) opts.onOutput?.(name, t); });
    }
    const pid = this.child.pid;
    // A straggler of the group could hold the output pipes open forever: 'close' would never come.
    this.child.once('exit', () => { if (pid !== undefined) signalGroup(pid, 'SIGKILL'); });
    const onAbort = (): void => this.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    this.exited = new Promise<ProcessExit>((resolve) => {
      const settle = (exit: Omit<ProcessExit, 'cancelled'>): void => {
        if (this.done) return;
        this.done = true;
        this.timers.forEach((t) => clearTimeout(t));
        opts.signal?.removeEventListener('abort', onAbort);
        const end = (): void => resolve({ ...exit, cancelled: this.cancelRequested });
        if (pid === undefined) { end(); return; }
        signalGroup(pid, 'SIGKILL');
        void drained(pid, opts.drainMs ?? 2000).then(end);
      };
      this.child.once('error', (err) => { if (pid === undefined) settle({ exitCode: null, spawnError: err.message }); });
      this.child.once('close', (code, signal) => settle({ exitCode: code, ...(signal !== null && { signal }) }));
    });
    if (opts.signal?.aborted) this.cancel();
  }

  get pid(): number | undefined { return this.child.pid; }
  get cancelling(): boolean { return this.cancelRequested; }

  /** Input for the process, when started with `stdin: 'pipe'`. */
  write(text: string): void {
    if (!this.done && this.child.stdin?.writable) this.child.stdin.write(text);
  }

  /** Sends the cancel signals to the whole group, each at its time, until the process has ended. Once. */
  cancel(): void {
    if (this.cancelRequested || this.done) return;
    this.cancelRequested = true;
    for (const s of this.opts.cancelSignals ?? terminateThenKill()) {
      if (s.afterMs <= 0) this.send(s.signal);
      else this.timers.push(setTimeout(() => this.send(s.signal), s.afterMs));
    }
  }

  private send(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid !== undefined && !this.done) signalGroup(pid, sig);
  }
}

/** Starts a process in its own group; see GroupProcess. */
export function startProcess(argv: readonly string[], opts: StartOptions = {}): GroupProcess {
  return new GroupProcess(argv, opts);
}

export interface ProcessOptions {
  /** Aborting kills the whole process tree: SIGTERM to its group, SIGKILL after `killGraceMs`. */
  readonly signal?: AbortSignal;
  readonly onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Default 5000. */
  readonly killGraceMs?: number;
  readonly cwd?: string;
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** The process group's id, as soon as it exists. */
  readonly onSpawn?: (pid: number) => void;
}

export interface ProcessResult {
  /** null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly cancelled: boolean;
  /** The program could not be started (not found, …). */
  readonly spawnError?: string;
}

/**
 * Runs one argv (no shell, no stdin) in its own process group and streams its output; a cancel
 * sends SIGTERM then SIGKILL to the group. No process of that group survives the return.
 */
export async function runProcess(argv: readonly string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  if (opts.signal?.aborted) return { exitCode: null, cancelled: true };
  const p = startProcess(argv, {
    ...(opts.cwd !== undefined && { cwd: opts.cwd }),
    ...(opts.env !== undefined && { env: { ...process.env, ...opts.env } }),
    ...(opts.onOutput && { onOutput: opts.onOutput }),
    ...(opts.signal && { signal: opts.signal }),
    cancelSignals: terminateThenKill(opts.killGraceMs ?? 5000),
  });
  if (p.pid !== undefined) opts.onSpawn?.(p.pid);
  const exit = await p.exited;
  return {
    exitCode: exit.exitCode, cancelled: exit.cancelled,
    ...(exit.signal !== undefined && { signal: exit.signal }), ...(exit.spawnError !== undefined && { spawnError: exit.spawnError }),
  };
}
