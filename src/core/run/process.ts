import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';

export interface ProcessOptions {
  /** Aborting kills the whole process tree: SIGTERM to its group, SIGKILL after `killGraceMs`. */
  readonly signal?: AbortSignal;
  readonly onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Default 5000. */
  readonly killGraceMs?: number;
  readonly cwd?: string;
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

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/**
 * Runs one argv (no shell) in its own process group and streams its output. Whatever happens, no
 * process of that group survives the return: a cancel sends SIGTERM then SIGKILL to the group, and
 * stragglers left by a finished command are killed too.
 */
export async function runProcess(argv: readonly string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty argv');
  if (opts.signal?.aborted) return { exitCode: null, cancelled: true };
  const child = execa(file, args, {
    detached: true, reject: false, stdin: 'ignore', buffer: false, stripFinalNewline: false,
    ...(opts.cwd !== undefined && { cwd: opts.cwd }),
    ...(opts.env !== undefined && { env: opts.env }),
  });
  const pid = child.pid;
  if (pid !== undefined) opts.onSpawn?.(pid);
  // A straggler of the group (a daemon a step started) could hold the output pipes open forever.
  child.on('exit', () => { if (pid !== undefined) killGroup(pid, 'SIGKILL'); });
  for (const name of ['stdout', 'stderr'] as const) {
    const decoder = new StringDecoder('utf8');
    child[name]?.on('data', (chunk: Buffer) => { const t = decoder.write(chunk); if (t) opts.onOutput?.(name, t); });
    child[name]?.on('end', () => { const t = decoder.end(); if (t) opts.onOutput?.(name, t); });
  }
  let cancelled = false;
  let force: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    if (pid === undefined) return;
    cancelled = true;
    killGroup(pid, 'SIGTERM');
    force = setTimeout(() => killGroup(pid, 'SIGKILL'), opts.killGraceMs ?? 5000);
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await child;
    if (r.failed && r.exitCode === undefined && r.signal === undefined) {
      return { exitCode: null, cancelled, spawnError: r.originalMessage || r.shortMessage };
    }
    return { exitCode: r.exitCode ?? null, ...(r.signal !== undefined && { signal: r.signal }), cancelled };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (force) clearTimeout(force);
    if (pid !== undefined) killGroup(pid, 'SIGKILL');
  }
}
