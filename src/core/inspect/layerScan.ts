import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { createGzip, deflateRawSync } from 'node:zlib';
import { GZIP_LEVEL } from '../engine/layer';
import { TarParser } from './tarParse';
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
   * deflates a sample and extrapolates (see Estimator), several times faster.
   */
  readonly compressed?: 'exact' | 'estimate';
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
  const estimator = opts.compressed === 'estimate' ? new Estimator() : undefined;
  const gnu = !estimator && gzipProgram() ? gzipCounter() : undefined;
  // With gzip measuring the total, zlib only apportions it: level 1 costs a third of level 6 and ranks
  // files alike (its shares are scaled to gzip's total). Without gzip, zlib level 6 is the measure.
  const gz = estimator ? undefined : createGzip({ level: gnu ? 1 : GZIP_LEVEL, chunkSize: 8 * 1024 });
  const ins: number[] = [0];
  const outs: number[] = [0];
  let out = 0;
  gz?.on('data', (c: Buffer) => { out += c.length; ins.push(gz.bytesWritten); outs.push(out); });
  const gzEnded = gz ? once(gz, 'end') : Promise.resolve();
  gzEnded.catch(() => undefined);

  let kept: LayerEntry | undefined;
  let content = Buffer.alloc(0);
  let filled = 0;
  const parser = new TarParser({
    entry(h) {
      const end = h.offset + Math.ceil(h.size / 512) * 512;
      const path = normPath(h.name);
      const slash = path.lastIndexOf('/');
      const base = path.slice(slash + 1);
      ends.push(end);
      if (base.startsWith(WH)) {
        const dir = slash < 0 ? '' : path.slice(0, slash);
        whiteouts.push(base === OPAQUE ? { path: dir, opaque: true } : { path: dir === '' ? base.slice(WH.length) : `${dir}/${base.slice(WH.length)}`, opaque: false });
        entries.push({ path: '', kind: 'other', size: 0, compressed: 0 });
        return false;
      }
      const kind = h.type === 'directory' ? 'dir' : h.type;
      const entry: LayerEntry = { path, kind, size: kind === 'file' ? h.size : 0, compressed: 0, ...(h.linkname ? { linkname: h.linkname } : {}) };
      entries.push(entry);
      if (kind !== 'file' || !opts.keep(path)) return false;
      kept = entry;
      content = Buffer.allocUnsafe(h.size);
      filled = 0;
      return true;
    },
    // Copied, once, into the entry's own buffer: the chunks under it may be reused (see SaveStream.chunks).
    data(bytes) { filled += bytes.copy(content, filled); },
    end() { kept!.content = content; kept = undefined; },
  });

  const onAbort = (): void => { const e = signal?.reason instanceof Error ? signal.reason : new Error('aborted'); gz?.destroy(e); gnu?.kill(); };
  signal?.addEventListener('abort', onAbort, { once: true });
  let tarBytes = 0;
  try {
    for await (const chunk of chunks) {
      signal?.throwIfAborted();
      tarBytes += chunk.length;
      parser.push(chunk);
      const b = gz ? gz.write(chunk) : true;
      estimator?.write(chunk);
      const c = gnu?.write(chunk);
      if (!b) await once(gz!, 'drain');
      await c;
    }
    parser.end();
    gz?.end();
    await gzEnded;
  } catch (err) {
    gz?.destroy();
    gnu?.kill();
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : err;
    throw new Error(`not a readable layer tar: ${(err as Error).message}`, { cause: err });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (estimator) {
    const e = estimator.end();
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
 * The stream is cut into 16 KiB blocks; each block's byte entropy is taken from every 4th byte, here, as
 * the bytes pass (every 8th or 16th byte gave +4.4% and a package 36% off: they fall on the same offset
 * of aligned structures; every 6th or 9th, +0.3 to +0.8% but packages up to 13% off). Every 32nd block, and
 * every block of the first MiB, is deflated at level 6 with the 32 KiB before it as the dictionary (what
 * deflate's window holds there): only those 48 KiB windows are copied, a tenth of the stream, and each is
 * deflated here, as it completes. Not on libuv's thread pool: zlib's asynchronous call sets each stream up on the
 * calling thread, and 340 windows kept this thread as busy (0.23 s) as deflating them here, for about 1.8× the CPU
 * in all; the CLI then spent 0.08 s more CPU for the same wall time. Nor on a thread of our own, which measured no
 * faster either (README, "Inspect an image"). A block not deflated
 * is estimated from the deflated blocks of its entropy band (their ratio), and the per-block figures are
 * apportioned to the entries like the exact path's. Measured on the bookworm essential image (149 MB, 7,000
 * files): the total within +2.5% of `gzip -6` (zlib compresses about 1% worse than GNU gzip; the dictionary
 * blocks add their own), packages of 1 MB and more within 10%; every 64th block gave +3.6%, a 16 KiB
 * dictionary +4.3%. Which block of each 32 is deflated moves the total between -0.3% and +3.6% there (the 8th,
 * 16th or 24th instead of the first), and every 48th block between +0.1% and +3.9%: fewer samples would leave
 * the tests' 4% no margin. The tolerances the tests hold it to are in test/integration/inspect.test.ts.
 */
class Estimator {
  private pos = 0;
  private readonly len: number[] = [];
  private readonly band: number[] = [];
  private readonly size: number[] = [];
  /** The block's byte counts, in four lanes (see count). */
  private readonly hist = new Uint32Array(4 * 256);
  private seen = 0;
  /** The next sampled block whose window is not open yet. */
  private next = 0;
  private readonly open: { k: number; start: number; end: number; buf: Buffer }[] = [];
  /** Windows deflated, for reuse. */
  private readonly pool: Buffer[] = [];

  /** Takes a chunk's entropy samples, copies what sampled windows it holds and deflates those it completes. */
  write(chunk: Buffer): void {
    const { block, step } = SAMPLING;
    const from = this.pos;
    const to = from + chunk.length;
    // Entropy: every `step`th byte of each block.
    const hist = this.hist;
    let i = 0;
    while (i < chunk.length) {
      const blockEnd = Math.min(chunk.length, i + block - ((from + i) % block));
      count(hist, chunk, i + ((step - ((from + i) % block) % step) % step), blockEnd, step);
      this.seen += blockEnd - i;
      i = blockEnd;
      if ((from + i) % block === 0) this.closeBlock(block);
    }
    // Windows: open those that start in this chunk, copy into every open one, deflate the complete ones.
    for (;;) {
      const k = this.next;
      const start = Math.max(0, k * block - SAMPLING.dict);
      if (start >= to) break;
      this.open.push({ k, start, end: (k + 1) * block, buf: this.pool.pop() ?? Buffer.allocUnsafeSlow(WINDOW) });
      this.next = k < SAMPLING.first - 1 ? k + 1 : Math.max(SAMPLING.first, (Math.floor(k / SAMPLING.stride) + 1) * SAMPLING.stride);
    }
    for (let w = 0; w < this.open.length;) {
      const o = this.open[w]!;
      const a = Math.max(from, o.start);
      const b = Math.min(to, o.end);
      if (b > a) chunk.copy(o.buf, a - o.start, a - from, b - from);
      if (o.end <= to) { this.deflate(o, o.end); this.open.splice(w, 1); } else w++;
    }
    this.pos = to;
  }

  private closeBlock(n: number): void {
    const { bands } = SAMPLING;
    // Entropy in bits per sampled byte: log2(m) - Σ x·log2(x) / m, the x·log2(x) from a table.
    let m = 0;
    let xlx = 0;
    const hist = this.hist;
    for (let c = 0; c < 256; c++) {
      const x = hist[c]! + hist[256 + c]! + hist[512 + c]! + hist[768 + c]!;
      m += x;
      xlx += x < XLOG2X.length ? XLOG2X[x]! : x * Math.log2(x);
    }
    const bits = m > 0 ? Math.log2(m) - xlx / m : 0;
    this.len.push(n);
    this.band.push(m > 0 ? Math.min(bands - 1, Math.floor((bits / 8) * bands)) : 0);
    hist.fill(0);
    this.seen = 0;
  }

  /** Deflates block `o.k` (the bytes of the window up to `end`, those before it the dictionary) and keeps its size. */
  private deflate(o: { k: number; start: number; buf: Buffer }, end: number): void {
    const dict = o.k * SAMPLING.block - o.start;
    const input = o.buf.subarray(dict, end - o.start);
    this.size[o.k] = (dict > 0 ? deflateRawSync(input, { level: SAMPLING.level, dictionary: o.buf.subarray(0, dict) }) : deflateRawSync(input, { level: SAMPLING.level })).length;
    this.pool.push(o.buf);
  }

  end(): { ins: number[]; outs: number[]; total: number } {
    if (this.seen > 0) this.closeBlock(this.seen);
    // The last block, when shorter, if it is sampled.
    for (const o of this.open.splice(0)) if (o.k * SAMPLING.block < this.pos) this.deflate(o, this.pos);
    return estimate({ len: this.len, band: this.band, deflated: this.len.map((_, k) => this.size[k] ?? -1) });
  }
}

const SAMPLING = { block: 16 * 1024, dict: 32 * 1024, stride: 32, first: 64, step: 4, bands: 10, level: GZIP_LEVEL };
const WINDOW = SAMPLING.dict + SAMPLING.block;
/** x·log2(x) for the counts a block's histogram can hold (16 KiB, every 4th byte: up to 4,096). */
const XLOG2X = Float64Array.from({ length: SAMPLING.block / SAMPLING.step + 1 }, (_, x) => (x > 0 ? x * Math.log2(x) : 0));

/**
 * Counts the bytes at from, from + step, … before to (a function of its own: the hottest loop, kept small for the
 * optimiser). Four lanes of 256 counters, the sampled bytes taken in turn: runs of one byte value (zeros, padding)
 * made every increment wait for the one before on the same counter, and the lanes halve the loop's time (57 → 30 ms
 * on the bookworm image's 149 MB). closeBlock adds the lanes up.
 */
function count(hist: Uint32Array, bytes: Buffer, from: number, to: number, step: number): void {
  let j = from;
  for (const last = to - 3 * step; j < last; j += 4 * step) {
    hist[bytes[j]!]!++;
    hist[256 + bytes[j + step]!]!++;
    hist[512 + bytes[j + 2 * step]!]!++;
    hist[768 + bytes[j + 3 * step]!]!++;
  }
  for (; j < to; j += step) hist[bytes[j]!]!++;
}

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
