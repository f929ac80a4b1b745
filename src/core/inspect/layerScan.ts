import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
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
  /**
   * What gave gzipBytes: the `gzip -6` program, zlib level 6 where no gzip is installed, or an estimate
   * from deflated samples (see Estimator).
   */
  readonly measuredBy: CompressedBy;
}

export type CompressedBy = 'gzip -6' | 'zlib level 6' | 'estimate';

export interface ScanOptions {
  /**
   * `exact` (the default) compresses every byte (`gzip -6`, seconds of CPU per 100 MB); `estimate`
   * deflates a sample and extrapolates (see SampleDeflater), several times faster.
   */
  readonly compressed?: 'exact' | 'estimate';
  /** The thread that estimates, already started (else the scan starts its own). */
  readonly deflater?: SampleDeflater;
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
  const own = opts.compressed === 'estimate' && !opts.deflater ? new SampleDeflater() : undefined;
  const estimator = opts.compressed === 'estimate' ? (opts.deflater ?? own)!.layer() : undefined;
  const gnu = !estimator && gzipProgram() ? gzipCounter() : undefined;
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
      // Copied: the chunks under it may be reused (see SaveStream.chunks).
      stream.on('data', (c: unknown) => { parts.push(Buffer.from(c as Buffer)); });
      stream.on('end', () => { entry.content = Buffer.concat(parts); next(); });
      return;
    }
    finish();
  });

  const onAbort = (): void => { const e = signal?.reason instanceof Error ? signal.reason : new Error('aborted'); ex.destroy(e); gz.destroy(e); gnu?.kill(); estimator?.destroy(); };
  signal?.addEventListener('abort', onAbort, { once: true });
  let tarBytes = 0;
  try {
    for await (const chunk of chunks) {
      tarBytes += chunk.length;
      const a = ex.write(chunk);
      const b = estimator ? true : gz.write(chunk);
      const c = estimator ? estimator.write(chunk) : gnu?.write(chunk);
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
    estimator?.destroy();
    own?.close();
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : err;
    throw new Error(`not a readable layer tar: ${(err as Error).message}`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (estimator) {
    const e = await estimator.end().finally(() => own?.close());
    apportion(entries, ends, e.ins, e.outs, 1);
    return { entries, whiteouts, tarBytes, gzipBytes: e.total, measuredBy: 'estimate' };
  }
  const measured = await gnu?.end();
  apportion(entries, ends, ins, outs, measured !== undefined && out > 0 ? measured / out : 1);
  return { entries, whiteouts, tarBytes, gzipBytes: measured ?? out, measuredBy: measured !== undefined ? 'gzip -6' : 'zlib level 6' };
}

/**
 * Estimates a stream's gzip-6 size without compressing all of it (issue 8's speed target: inspecting an
 * image about as fast as `docker save` reads it, where `gzip -6` alone costs seconds of CPU per 100 MB).
 * A worker thread (the tar parse keeps the main one) cuts the stream into 16 KiB blocks and takes each
 * block's byte entropy from every 4th byte; every 32nd block, and every block of the first MiB, it
 * deflates at level 6 with the 32 KiB before it as the dictionary (what deflate's window holds there).
 * A block not deflated is estimated from the deflated blocks of its entropy band (their ratio), and the
 * per-block figures are apportioned to the entries like the exact path's. Measured on the bookworm
 * essential image (149 MB, 7,000 files): the total within +2.5% of `gzip -6` (zlib compresses about 1%
 * worse than GNU gzip; the dictionary blocks add their own), packages of 1 MB and more within 10%; every
 * 16th block gave the same, every 64th +3.6%, a 16 KiB dictionary +4.3%. The tolerances the tests hold it
 * to are in test/integration/inspect.test.ts.
 *
 * One thread serves every layer of a source in turn: starting one costs a fifth of a second of CPU, so
 * readSource starts it before the engine sends the first byte (see ReadSourceOptions).
 */
export class SampleDeflater {
  private readonly worker: Worker;
  private readonly pool: SharedArrayBuffer[] = [];
  private current: Estimator | undefined;
  private stopped: Error | undefined;

  constructor() {
    this.worker = new Worker(`(${estimatorWorker.toString()})()`, { eval: true, workerData: SAMPLING });
    this.worker.on('message', (m: { acked: number; back: SharedArrayBuffer } | EstimatedBlocks) => {
      if ('acked' in m) { this.pool.push(m.back); this.current?.acked(m.acked); return; }
      const e = this.current;
      this.current = undefined;
      e?.finished(m);
    });
    const stop = (err: Error): void => {
      this.stopped ??= err;
      const e = this.current;
      this.current = undefined;
      e?.failed(this.stopped);
    };
    this.worker.on('error', stop);
    this.worker.on('exit', (code) => stop(new Error(`the size estimator stopped (exit ${code})`)));
  }

  /** The estimator for the next layer; one layer at a time. */
  layer(): Estimator {
    if (this.current) throw new Error('the size estimator is still busy with a layer');
    const e = new Estimator(this.worker, this.pool, () => this.close());
    if (this.stopped) e.failed(this.stopped);
    else this.current = e;
    return e;
  }

  close(): void { void this.worker.terminate(); }
}

/** One layer's estimate: the bytes handed to the worker, its blocks back at the end. */
class Estimator {
  private sent = 0;
  private done = 0;
  private wake: (() => void) | undefined;
  private cur: Uint8Array | undefined;
  private curLen = 0;
  private settle!: { resolve: (b: EstimatedBlocks) => void; reject: (e: Error) => void };
  private readonly result: Promise<EstimatedBlocks>;

  constructor(private readonly worker: Worker, private readonly pool: SharedArrayBuffer[], private readonly kill: () => void) {
    this.result = new Promise<EstimatedBlocks>((resolve, reject) => { this.settle = { resolve, reject }; });
    this.result.catch(() => undefined);
  }

  acked(n: number): void { this.done = n; this.poke(); }
  finished(b: EstimatedBlocks): void { this.settle.resolve(b); this.poke(); }
  failed(e: Error): void { this.settle.reject(e); this.poke(); }
  private poke(): void { const w = this.wake; this.wake = undefined; w?.(); }

  /**
   * Hands a chunk over: copied into a pooled shared 1 MiB buffer, handed over when full and pooled again
   * when the worker is done with it (fresh memory per MiB costs page faults; a copy into warm memory is
   * cheap, and the chunk's own memory may be reused by its reader). Waits while the worker is more than
   * MAX_BEHIND bytes behind.
   */
  async write(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length;) {
      const cur = this.cur ??= new Uint8Array(this.pool.pop() ?? new SharedArrayBuffer(POOLED));
      const n = Math.min(chunk.length - at, POOLED - this.curLen);
      cur.set(chunk.subarray(at, at + n), this.curLen);
      this.curLen += n;
      at += n;
      if (this.curLen === POOLED) this.post();
    }
    while (this.sent - this.done > MAX_BEHIND) {
      await Promise.race([new Promise<void>((r) => { this.wake = r; }), this.result]);
    }
  }

  /** Hands the filled part of the current pooled buffer to the worker. */
  private post(): void {
    if (!this.cur || this.curLen === 0) return;
    this.worker.postMessage({ buf: this.cur.buffer, len: this.curLen });
    this.sent += this.curLen;
    this.cur = undefined;
    this.curLen = 0;
  }

  async end(): Promise<{ ins: number[]; outs: number[]; total: number }> {
    this.post();
    this.worker.postMessage(null);
    return estimate(await this.result);
  }

  /** Stops the worker (the read is being abandoned). */
  destroy(): void { this.kill(); }
}

const SAMPLING = { block: 16 * 1024, dict: 32 * 1024, stride: 32, first: 64, bands: 10, level: GZIP_LEVEL };
const MAX_BEHIND = 32 << 20;
const POOLED = 1 << 20;

/** Per block: its length, entropy band, and deflated size (-1 where it was not deflated). */
interface EstimatedBlocks {
  readonly len: number[];
  readonly band: number[];
  readonly deflated: number[];
}

/** Per-band ratios from the deflated blocks; cumulative in/out offsets at block ends (for apportion). */
function estimate(b: EstimatedBlocks): { ins: number[]; outs: number[]; total: number } {
  const bands = SAMPLING.bands;
  const sum = new Float64Array(bands);
  const len = new Float64Array(bands);
  let allSum = 0;
  let allLen = 0;
  b.len.forEach((l, i) => {
    const d = b.deflated[i]!;
    if (d < 0) return;
    const k = b.band[i]!;
    sum[k] = sum[k]! + d;
    len[k] = len[k]! + l;
    allSum += d;
    allLen += l;
  });
  const overall = allLen > 0 ? allSum / allLen : 1;
  const ins = [0];
  const outs = [0];
  let at = 0;
  let out = 0;
  b.len.forEach((l, i) => {
    const d = b.deflated[i]!;
    const band = b.band[i]!;
    at += l;
    out += d >= 0 ? d : l * (len[band]! > 0 ? sum[band]! / len[band]! : overall);
    ins.push(at);
    outs.push(out);
  });
  // gzip's 10-byte header and 8-byte trailer.
  return { ins, outs, total: Math.round(out) + 18 };
}

/**
 * The estimator thread's body, run from its source text (so it needs no file of its own in dist/):
 * self-contained, it uses only `require` and its workerData (SAMPLING).
 */
function estimatorWorker(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { deflateRawSync } = require('node:zlib') as typeof import('node:zlib');
  const s = workerData as typeof SAMPLING;
  let len: number[] = [];
  let band: number[] = [];
  let deflated: number[] = [];
  const hist = new Uint32Array(256);
  // The stream's last bytes, copied (at most a dictionary and a block): the block that began in an earlier
  // chunk, and what the dictionary of a block near a chunk's start reaches back to.
  let tail = Buffer.alloc(0);
  let partial = 0;
  let total = 0;
  /** One block of `data` at `at`; `before` gives the bytes before it in the stream that data does not hold. */
  const block = (data: Buffer, at: number, n: number, before: Buffer): void => {
    hist.fill(0);
    let m = 0;
    for (let j = at; j < at + n; j += 4) { hist[data[j]!]!++; m++; }
    let bits = 0;
    for (let k = 0; k < 256; k++) { const c = hist[k]!; if (c > 0) bits -= c * Math.log2(c / m); }
    const i = len.length;
    len.push(n);
    band.push(Math.min(s.bands - 1, Math.floor((bits / m / 8) * s.bands)));
    if (i >= s.first && i % s.stride !== 0) { deflated.push(-1); return; }
    const input = data.subarray(at, at + n);
    const dictionary = at >= s.dict || before.length === 0
      ? data.subarray(Math.max(0, at - s.dict), at)
      : Buffer.concat([before.subarray(Math.max(0, before.length - (s.dict - at))), data.subarray(0, at)]);
    deflated.push(dictionary.length > 0
      ? deflateRawSync(input, { level: s.level, dictionary }).length
      : deflateRawSync(input, { level: s.level }).length);
  };
  parentPort!.on('message', (msg: { buf: SharedArrayBuffer; len: number } | null) => {
    if (msg === null) {
      if (partial > 0) block(tail, tail.length - partial, partial, Buffer.alloc(0));
      parentPort!.postMessage({ len, band, deflated });
      // The next layer starts afresh.
      len = [];
      band = [];
      deflated = [];
      tail = Buffer.alloc(0);
      partial = 0;
      total = 0;
      return;
    }
    const chunk = Buffer.from(msg.buf, 0, msg.len);
    total += chunk.length;
    let at = 0;
    let before = tail.subarray(0, tail.length - partial);
    if (partial > 0) {
      // The block that straddles: assembled with the dictionary before it (at most 48 KiB copied).
      const need = Math.min(s.block - partial, chunk.length);
      const head = Buffer.concat([tail, chunk.subarray(0, need)]);
      at = need;
      if (partial + need === s.block) {
        block(head, head.length - s.block, s.block, Buffer.alloc(0));
        before = head;
        partial = 0;
      } else {
        tail = head.subarray(Math.max(0, head.length - s.dict - (partial + need)));
        partial += need;
        parentPort!.postMessage({ acked: total, back: msg.buf });
        return;
      }
    }
    // Blocks are counted from `at`: data before it was the straddling block, so `before` ends there.
    const rest = chunk.subarray(at);
    let j = 0;
    for (; j + s.block <= rest.length; j += s.block) block(rest, j, s.block, before);
    partial = rest.length - j;
    const keep = Math.min(rest.length, s.dict + partial);
    tail = keep >= s.dict + partial ? Buffer.from(rest.subarray(rest.length - keep))
      : Buffer.concat([before.subarray(Math.max(0, before.length - (s.dict + partial - keep))), rest]);
    parentPort!.postMessage({ acked: total, back: msg.buf });
  });
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
