import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { GZIP_LEVEL } from '../engine/layer';
import { normPath, type Whiteout } from './tree';

/** One entry of a layer, as the tar has it. */
export interface LayerEntry {
  readonly path: string;
  readonly kind: 'file' | 'link' | 'dir' | 'symlink' | 'other';
  readonly size: number;
  /** Symlink target, or the path a hard link names. */
  readonly linkname?: string;
  /** Kept bytes (only for paths the caller asked to keep). */
  content?: Buffer;
  /** This entry's share of the layer's gzip-6 bytes (header and padding included). */
  compressed: number;
}

export interface LayerScan {
  readonly entries: LayerEntry[];
  readonly whiteouts: Whiteout[];
  /** Uncompressed tar bytes. */
  readonly tarBytes: number;
  /** Bytes of this tar gzipped at level 6: what a registry stores for it. */
  readonly gzipBytes: number;
  /** What measured gzipBytes: the `gzip -6` program, or zlib level 6 where no gzip is installed. */
  readonly measuredBy: 'gzip -6' | 'zlib level 6';
}

export interface ScanOptions {
  /** Whether the content of this (normalised) path is kept, for the database files. */
  readonly keep: (path: string) => boolean;
  readonly signal?: AbortSignal;
}

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';

/**
 * Reads one layer tar once: its entries and whiteouts, and at the same time measures its compressed
 * size with the `gzip -6` program (another process, so another core), as a registry client would
 * compress it. Node's zlib differs from GNU gzip by about 1% on real layers, so zlib (level 1, in its
 * thread, beside the tar parse) only apportions that total: every zlib output chunk is recorded with
 * the input consumed so far, an entry gets the output between its first and last tar byte
 * (interpolated inside a chunk), and the shares are scaled to gzip's total. They add up to it
 * exactly; a share may be off by zlib's lag (one deflate block, KiBs), which evens out over a
 * package's files. Without a gzip program zlib level 6 is the measure.
 */
export async function scanLayer(chunks: AsyncIterable<Buffer>, opts: ScanOptions): Promise<LayerScan> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const entries: LayerEntry[] = [];
  const ends: number[] = [];
  const whiteouts: Whiteout[] = [];
  const gnu = gzipProgram() ? gzipCounter() : undefined;
  // With gzip measuring the total, zlib only apportions it: level 1 costs a third of level 6 and ranks
  // files alike (its shares are scaled to gzip's total). Without gzip, zlib level 6 is the measure.
  const gz = createGzip({ level: gnu ? 1 : GZIP_LEVEL, chunkSize: 8 * 1024 });
  const ins: number[] = [0];
  const outs: number[] = [0];
  let out = 0;
  gz.on('data', (c: Buffer) => { out += c.length; ins.push(gz.bytesWritten); outs.push(out); });
  const gzEnded = once(gz, 'end');
  gzEnded.catch(() => undefined);

  const ex = tar.extract();
  const exDone = new Promise<void>((resolve, reject) => { ex.on('finish', resolve); ex.on('error', reject); });
  exDone.catch(() => undefined);
  ex.on('entry', (h, stream, next) => {
    const end = (h as { byteOffset?: number }).byteOffset! + Math.ceil((h.size ?? 0) / 512) * 512;
    const path = normPath(h.name);
    const slash = path.lastIndexOf('/');
    const base = path.slice(slash + 1);
    const finish = (): void => { stream.on('end', () => next()); stream.resume(); };
    if (base.startsWith(WH)) {
      const dir = slash < 0 ? '' : path.slice(0, slash);
      whiteouts.push(base === OPAQUE ? { path: dir, opaque: true } : { path: dir === '' ? base.slice(WH.length) : `${dir}/${base.slice(WH.length)}`, opaque: false });
      ends.push(end);
      entries.push({ path: '', kind: 'other', size: 0, compressed: 0 });
      finish();
      return;
    }
    const kind = h.type === 'file' || h.type === 'contiguous-file' ? 'file' : h.type === 'link' ? 'link' : h.type === 'directory' ? 'dir' : h.type === 'symlink' ? 'symlink' : 'other';
    const entry: LayerEntry = { path, kind, size: kind === 'file' ? h.size ?? 0 : 0, compressed: 0, ...(h.linkname ? { linkname: h.linkname } : {}) };
    entries.push(entry);
    ends.push(end);
    if (kind === 'file' && opts.keep(path)) {
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => { parts.push(c as Buffer); });
      stream.on('end', () => { entry.content = Buffer.concat(parts); next(); });
      return;
    }
    finish();
  });

  const onAbort = (): void => { const e = signal?.reason instanceof Error ? signal.reason : new Error('aborted'); ex.destroy(e); gz.destroy(e); gnu?.kill(); };
  signal?.addEventListener('abort', onAbort, { once: true });
  let tarBytes = 0;
  try {
    for await (const chunk of chunks) {
      tarBytes += chunk.length;
      const a = ex.write(chunk);
      const b = gz.write(chunk);
      const c = gnu?.write(chunk);
      if (!a) await Promise.race([once(ex, 'drain'), exDone]);
      if (!b) await once(gz, 'drain');
      await c;
    }
    ex.end(undefined);
    gz.end();
    await Promise.all([exDone, gzEnded]);
  } catch (err) {
    ex.destroy();
    gz.destroy();
    gnu?.kill();
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : err;
    throw new Error(`not a readable layer tar: ${(err as Error).message}`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const measured = await gnu?.end();
  apportion(entries, ends, ins, outs, measured !== undefined && out > 0 ? measured / out : 1);
  return { entries, whiteouts, tarBytes, gzipBytes: measured ?? out, measuredBy: measured !== undefined ? 'gzip -6' : 'zlib level 6' };
}

interface Counter {
  write(chunk: Buffer): Promise<void>;
  /** Bytes gzip wrote, or undefined when it is not installed or failed. */
  end(): Promise<number | undefined>;
  kill(): void;
}

let found: boolean | undefined;
/** Whether a `gzip` program is on PATH (looked up once). */
function gzipProgram(): boolean {
  found ??= (process.env['PATH'] ?? '').split(':').some((d) => {
    try { accessSync(join(d || '.', 'gzip'), constants.X_OK); return true; } catch { return false; }
  });
  return found;
}

/** `gzip -6 -n` fed the tar, its output counted and dropped. */
function gzipCounter(): Counter {
  const child = spawn('gzip', ['-6', '-n', '-c'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let size = 0;
  let failed = false;
  child.stdout.on('data', (c: Buffer) => { size += c.length; });
  child.stdin.on('error', () => { failed = true; });
  const closed = new Promise<number | undefined>((resolve) => {
    child.on('error', () => { failed = true; resolve(undefined); });
    child.on('close', (code) => resolve(code === 0 && !failed ? size : undefined));
  });
  return {
    async write(chunk) {
      if (failed || child.stdin.destroyed) return;
      if (!child.stdin.write(chunk)) await Promise.race([once(child.stdin, 'drain'), closed]);
    },
    end() { if (!child.stdin.destroyed) child.stdin.end(); return closed; },
    kill() { child.kill(); },
  };
}

/** Gives each entry the compressed bytes between its start and end offsets (see scanLayer). */
function apportion(entries: LayerEntry[], ends: number[], ins: number[], outs: number[], scale: number): void {
  let seg = 0;
  const at = (x: number): number => {
    while (seg + 1 < ins.length && ins[seg + 1]! < x) seg++;
    const i0 = ins[seg]!;
    const o0 = outs[seg]!;
    if (seg + 1 >= ins.length) return o0;
    const i1 = ins[seg + 1]!;
    const o1 = outs[seg + 1]!;
    return i1 === i0 ? o1 : o0 + ((Math.min(x, i1) - i0) * (o1 - o0)) / (i1 - i0);
  };
  let prev = 0;
  for (let i = 0; i < entries.length; i++) {
    const cur = at(ends[i]!);
    entries[i]!.compressed = (cur - prev) * scale;
    prev = cur;
  }
}
