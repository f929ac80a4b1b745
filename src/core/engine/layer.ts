import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { packTree } from './tarWalk';

/** gzip level of the compressed size: what `gzip -6` and registry clients use. */
export const GZIP_LEVEL = 6;

export interface LayerOptions {
  readonly signal?: AbortSignal;
  /** Running total of uncompressed tar bytes. */
  readonly onProgress?: (bytes: number) => void;
  /** SOURCE_DATE_EPOCH in seconds: mtimes are clamped to it (tarWalk.ts WalkOptions). */
  readonly clampMtime?: number;
  /** Write the uncompressed layer tar here. */
  readonly tarFile?: string;
  /** Gzip the layer (level 6) into this file while walking. */
  readonly gzipFile?: string;
  /** Called after each write to `tarFile` with the bytes now in it. */
  readonly onWritten?: (bytes: number) => void;
}

export interface Layer {
  /** `sha256:<hex>` of the uncompressed tar: the image config's diff_id. */
  readonly diffId: string;
  readonly size: number;
  /** Set when `gzipFile` was given. */
  readonly gzip?: Compressed;
}

export interface Compressed {
  /** `sha256:<hex>` of the gzip stream. */
  readonly digest: string;
  /** Bytes of the gzip-6 stream: what a registry stores for this layer. */
  readonly size: number;
}

const BATCH = 1 << 20;

/**
 * Tars `rootfs` (see packTree) once: hashes it and writes it to `tarFile` and/or gzips it into
 * `gzipFile`. Memory stays at a few MiB whatever the tree's size.
 */
export async function writeLayer(rootfs: string, opts: LayerOptions = {}): Promise<Layer> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const hash = createHash('sha256');
  const tarOut = opts.tarFile !== undefined ? await open(opts.tarFile, 'w') : undefined;
  const gz = opts.gzipFile !== undefined ? await GzipFile.open(opts.gzipFile).catch(async (e: unknown) => { await tarOut?.close(); throw e; }) : undefined;
  const pack = packTree(rootfs, { ...(signal && { signal }), ...(opts.clampMtime !== undefined && { clampMtime: opts.clampMtime }) });
  let size = 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    if (batchBytes === 0) return;
    const buf = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchBytes);
    batch = [];
    batchBytes = 0;
    hash.update(buf);
    size += buf.length;
    await Promise.all([tarOut?.write(buf), gz?.write(buf)]);
    if (tarOut) opts.onWritten?.(size);
    opts.onProgress?.(size);
  };
  try {
    for await (const chunk of pack) {
      batch.push(chunk as Buffer);
      batchBytes += (chunk as Buffer).length;
      if (batchBytes >= BATCH) await flush();
    }
    await flush();
    signal?.throwIfAborted();
    const gzip = await gz?.end();
    return { diffId: `sha256:${hash.digest('hex')}`, size, ...(gzip ? { gzip } : {}) };
  } catch (err) {
    pack.destroy();
    gz?.destroy();
    throw err;
  } finally {
    await tarOut?.close();
    await gz?.close();
  }
}

/**
 * Writes the layer tar to `tarFile` at walking speed while a gzip-6 count trails it, reading back
 * what was written (from the page cache). The returned promise settles when the tar is complete;
 * `gzip` settles later, so the caller can load the tar while the compressed size is still counted.
 */
export async function writeLayerFile(rootfs: string, tarFile: string, opts: Omit<LayerOptions, 'tarFile' | 'gzipFile' | 'onWritten'> = {}): Promise<{ diffId: string; size: number; gzip: Promise<Compressed> }> {
  const follower = new GzipFollower(tarFile, opts.signal);
  try {
    const layer = await writeLayer(rootfs, { ...opts, tarFile, onWritten: (n) => follower.advance(n) });
    follower.finish(layer.size);
    return { diffId: layer.diffId, size: layer.size, gzip: follower.result };
  } catch (err) {
    follower.fail(err);
    throw err;
  }
}

class GzipFollower {
  private available = 0;
  private total: number | undefined;
  private error: unknown;
  private wake: (() => void) | undefined;
  readonly result: Promise<Compressed>;

  constructor(private readonly file: string, private readonly signal?: AbortSignal) {
    this.result = this.run();
    this.result.catch(() => undefined);
  }

  advance(bytes: number): void { this.available = bytes; this.poke(); }
  finish(total: number): void { this.total = total; this.available = total; this.poke(); }
  fail(err: unknown): void { this.error = err ?? new Error('layer failed'); this.poke(); }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async run(): Promise<Compressed> {
    const gz = new GzipFile(undefined);
    const onAbort = (): void => this.fail(this.signal?.reason);
    this.signal?.addEventListener('abort', onAbort, { once: true });
    let fh: Awaited<ReturnType<typeof open>> | undefined;
    try {
      let pos = 0;
      const buf = Buffer.allocUnsafe(BATCH);
      for (;;) {
        if (this.error !== undefined) throw this.error;
        if (this.total !== undefined && pos >= this.total) return await gz.end();
        if (pos >= this.available) {
          await new Promise<void>((resolve) => { this.wake = resolve; });
          continue;
        }
        fh ??= await open(this.file, 'r');
        const { bytesRead } = await fh.read(buf, 0, Math.min(BATCH, this.available - pos), pos);
        if (bytesRead === 0) throw new Error(`${this.file} is shorter than what was written`);
        pos += bytesRead;
        await gz.write(Buffer.from(buf.subarray(0, bytesRead)));
      }
    } catch (err) {
      gz.destroy();
      throw err;
    } finally {
      this.signal?.removeEventListener('abort', onAbort);
      await fh?.close();
    }
  }
}

/** A level-6 gzip stream that hashes and counts its output and optionally writes it to a file. */
class GzipFile {
  private readonly gzip = createGzip({ level: GZIP_LEVEL });
  private readonly hash = createHash('sha256');
  private size = 0;
  private writes: Promise<unknown> = Promise.resolve();
  private readonly ended: Promise<unknown>;

  static async open(path: string): Promise<GzipFile> {
    return new GzipFile(await open(path, 'w'));
  }

  constructor(private readonly out: Awaited<ReturnType<typeof open>> | undefined) {
    this.gzip.on('data', (chunk: Buffer) => {
      this.size += chunk.length;
      this.hash.update(chunk);
      if (this.out) {
        const out = this.out;
        this.gzip.pause();
        this.writes = this.writes.then(() => out.write(chunk)).then(() => { this.gzip.resume(); });
        this.writes.catch((e: unknown) => this.gzip.destroy(e as Error));
      }
    });
    this.ended = once(this.gzip, 'end');
    this.ended.catch(() => undefined);
  }

  async write(buf: Buffer): Promise<void> {
    if (!this.gzip.write(buf)) await Promise.race([once(this.gzip, 'drain'), this.ended]);
  }

  async end(): Promise<Compressed> {
    this.gzip.end();
    await this.ended;
    await this.writes;
    return { digest: `sha256:${this.hash.digest('hex')}`, size: this.size };
  }

  destroy(): void {
    this.gzip.destroy();
  }

  async close(): Promise<void> {
    await this.out?.close();
  }
}
