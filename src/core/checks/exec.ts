import { spawn } from 'node:child_process';
import { createGzip } from 'node:zlib';
import { GZIP_LEVEL } from '../engine/layer';
import { startProcess } from '../run/process';
import { MAX_OUTPUT_CHARS, type ExecResult } from './target';

/**
 * Runs one argv of a driver (`docker exec …`, `unshare … chroot …`) in its own process group, keeps at most
 * MAX_OUTPUT_CHARS of each stream, and kills the group at the timeout. Never throws.
 */
export async function execCapture(argv: readonly string[], timeoutMs: number, env?: Readonly<Record<string, string>>): Promise<ExecResult> {
  const out = { stdout: '', stderr: '' };
  const cut = { stdout: false, stderr: false };
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  try {
    const p = startProcess(argv, {
      signal: timeout.signal,
      cancelSignals: [{ signal: 'SIGKILL', afterMs: 0 }],
      ...(env && { env }),
      onOutput: (stream, text) => {
        if (out[stream].length >= MAX_OUTPUT_CHARS) { cut[stream] = true; return; }
        out[stream] += text;
      },
    });
    const exit = await p.exited;
    for (const s of ['stdout', 'stderr'] as const) {
      if (cut[s] || out[s].length > MAX_OUTPUT_CHARS) out[s] = `${out[s].slice(0, MAX_OUTPUT_CHARS)}\n… (cut at ${MAX_OUTPUT_CHARS} characters)`;
    }
    if (exit.spawnError !== undefined) return { exitCode: null, ...out, timedOut: false, error: exit.spawnError };
    return { exitCode: exit.cancelled ? null : exit.exitCode, ...out, timedOut: exit.cancelled };
  } finally {
    clearTimeout(timer);
  }
}

/** Bytes of a program's output gzip-compressed at the level registries use. */
export function gzipSizeOf(argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const gzip = createGzip({ level: GZIP_LEVEL });
    let bytes = 0;
    let err = '';
    gzip.on('data', (c: Buffer) => { bytes += c.length; });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.stdout.pipe(gzip);
    child.on('error', reject);
    let code: number | null = null;
    let ended = false;
    const settle = (): void => {
      if (!ended || code === null) return;
      if (code !== 0) reject(new Error(`${argv.join(' ')}: exit ${code}: ${err.trim()}`));
      else resolve(bytes);
    };
    gzip.on('end', () => { ended = true; settle(); });
    child.on('close', (c) => { code = c ?? 1; if (code !== 0) ended = true; settle(); });
  });
}
