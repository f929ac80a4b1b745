import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';

export interface GroupProcessOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
  /** After a cancel's SIGINT: SIGTERM at `termAfterMs`, SIGKILL at `killAfterMs` (defaults 20 s, 40 s). */
  readonly termAfterMs?: number;
  readonly killAfterMs?: number;
}

export interface GroupExit {
  /** The exit code; 128 + the signal's number when a signal ended it; 127 when it could not start. */
  readonly code: number;
  readonly signal?: string;
  /** Why it could not start (`spawn sudo ENOENT`). */
  readonly spawnError?: string;
}

/**
 * A process in its own process group (its own session) with stdin open, so a password can be
 * typed for sudo. Cancel asks first: SIGINT to the group once (the CLI then kills its running step
 * and undoes its mounts; a second SIGINT would make it exit at once), SIGTERM then SIGKILL only if
 * it has not ended after the grace periods.
 */
export class GroupProcess {
  readonly exited: Promise<GroupExit>;
  private readonly child;
  private readonly timers: NodeJS.Timeout[] = [];
  private cancelRequested = false;
  private done = false;

  constructor(argv: readonly string[], private readonly opts: GroupProcessOptions) {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('empty argv');
    this.child = spawn(file, args, { cwd: opts.cwd, env: { ...opts.env }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined); // EPIPE when it exits while input is written
    for (const name of ['stdout', 'stderr'] as const) {
      const decoder = new StringDecoder('utf8');
      this.child[name].on('data', (chunk: Buffer) => { const t = decoder.write(chunk); if (t) opts.onOutput(name, t); });
      this.child[name].on('end', () => { const t = decoder.end(); if (t) opts.onOutput(name, t); });
    }
    this.exited = new Promise<GroupExit>((resolve) => {
      this.child.once('error', (err) => {
        if (this.child.pid !== undefined) return; // started: 'close' reports
        this.finish();
        resolve({ code: 127, spawnError: err.message });
      });
      this.child.once('close', (code, signal) => {
        this.finish();
        resolve(code !== null ? { code } : { code: 128 + (signal ? constants.signals[signal] ?? 0 : 0), ...(signal && { signal }) });
      });
    });
  }

  get pid(): number | undefined { return this.child.pid; }
  get cancelling(): boolean { return this.cancelRequested; }

  /** Input for the process (a password for sudo -S). */
  write(text: string): void {
    if (!this.done && this.child.stdin.writable) this.child.stdin.write(text);
  }

  cancel(): void {
    if (this.cancelRequested || this.done) return;
    this.cancelRequested = true;
    this.signal('SIGINT');
    this.timers.push(setTimeout(() => this.signal('SIGTERM'), this.opts.termAfterMs ?? 20_000));
    this.timers.push(setTimeout(() => this.signal('SIGKILL'), this.opts.killAfterMs ?? 40_000));
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || this.done) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // ESRCH: gone already. EPERM: every member runs as root (sudo relays what it receives).
    }
  }

  private finish(): void {
    this.done = true;
    this.timers.forEach((t) => clearTimeout(t));
  }
}
