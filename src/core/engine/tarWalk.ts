import { closeSync, createReadStream, lstatSync, openSync, readSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import * as tar from 'tar-stream';

export type EntryType = 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';

/** One filesystem object as it goes into the tar. */
export interface WalkEntry {
  /** Relative to the walked root, `/`-separated, no `./` prefix; directories end in `/`. */
  readonly name: string;
  /** Absolute path on disk. */
  readonly path: string;
  readonly type: EntryType;
  /** Permission bits incl. setuid/setgid/sticky (`mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Whole seconds, as tar keeps them. */
  readonly mtime: Date;
  /** Content bytes of a regular file, else 0. */
  readonly size: number;
  /** Symlink target (verbatim), or the earlier entry's name for a hard link. */
  readonly linkname?: string;
  readonly devmajor?: number;
  readonly devminor?: number;
}

export interface WalkOptions {
  readonly signal?: AbortSignal;
  /**
   * SOURCE_DATE_EPOCH, in seconds: no entry's mtime is later. Files the build wrote carry the build's time; clamped,
   * two builds of the same inputs give the same tar (files from the .debs keep their older mtimes).
   */
  readonly clampMtime?: number;
}

type TarHeader = Partial<tar.Header> & { name: string };

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const MAX_TAR_SECONDS = 0o77777777777;
const MAX_USTAR_ID = 0o7777777;

/**
 * Walks a directory tree depth-first in name order, never following symlinks. Yields every
 * regular file, directory, symlink, device and fifo below `root` (not `root` itself: its mode would
 * become the image's `/`); sockets are skipped. A second path to an inode already yielded (same
 * dev+ino) comes as a `link` entry naming the first. A directory on another filesystem (a mount
 * left behind) is an error.
 */
export async function* walkTree(root: string, opts: WalkOptions = {}): AsyncGenerator<WalkEntry> {
  const seen = new Map<string, string>();
  const dev = lstatSync(root).dev;
  yield* walkDir(root, '', dev, seen, opts.signal, opts.clampMtime ?? MAX_TAR_SECONDS);
}

async function* walkDir(root: string, rel: string, dev: number, seen: Map<string, string>, signal: AbortSignal | undefined, maxSeconds: number): AsyncGenerator<WalkEntry> {
  signal?.throwIfAborted();
  const dir = rel === '' ? root : join(root, rel);
  const names = readdirSync(dir).sort(byName);
  for (const name of names) {
    const st = lstatSync(join(dir, name));
    if (name.includes('\uFFFD')) throw new Error(`${join(dir, name)}: the file name is not valid UTF-8`);
    const relName = rel === '' ? name : `${rel}/${name}`;
    const path = join(dir, name);
    const entry = toEntry(path, relName, st, seen, maxSeconds);
    if (entry === undefined) continue;
    if (entry.type === 'directory' && st.dev !== dev) {
      // A mount left in a chroot (/proc, /dev, /run) would tar the host's: refuse, like a build
      // that forgot its cleanup should be noticed.
      throw new Error(`${path} is a mount point (another filesystem): unmount it before taking the rootfs`);
    }
    yield entry;
    if (entry.type === 'directory') yield* walkDir(root, relName, dev, seen, signal, maxSeconds);
  }
}

function toEntry(path: string, name: string, st: Stats, seen: Map<string, string>, maxSeconds: number): WalkEntry | undefined {
  const base = {
    path, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid,
    mtime: new Date(Math.min(Math.max(Math.floor(st.mtimeMs / 1000), 0), maxSeconds, MAX_TAR_SECONDS) * 1000),
  };
  if (st.isDirectory()) return { ...base, name: `${name}/`, type: 'directory', size: 0 };
  if (st.isSocket()) return undefined;
  if (st.nlink > 1) {
    const key = `${st.dev}:${st.ino}`;
    const first = seen.get(key);
    if (first !== undefined) return { ...base, name, type: 'link', size: 0, linkname: first };
    seen.set(key, name);
  }
  if (st.isFile()) return { ...base, name, type: 'file', size: st.size };
  if (st.isSymbolicLink()) return { ...base, name, type: 'symlink', size: 0, linkname: readlinkSync(path) };
  if (st.isFIFO()) return { ...base, name, type: 'fifo', size: 0 };
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return { ...base, name, type: st.isCharacterDevice() ? 'character-device' : 'block-device', size: 0, ...devNumbers(st.rdev) };
  }
  return undefined;
}

/** Linux `major()` / `minor()` of a dev_t. */
export function devNumbers(rdev: number): { devmajor: number; devminor: number } {
  const hi = Math.floor(rdev / 2 ** 32);
  const lo = rdev >>> 0;
  return {
    devmajor: ((lo >>> 8) & 0xfff) | ((hi & 0xfffff000) >>> 0),
    devminor: (lo & 0xff) | ((lo >>> 12) & 0xfff00),
  };
}

/** Files up to this size are read whole; bigger ones are streamed. */
const SMALL_FILE = 1 << 20;

/**
 * The tree under `root` as a tar stream (see {@link walkTree} for what goes in). Entries are in
 * name order with uid/gid/mode/mtime preserved and no user or group names, so the same tree gives
 * the same bytes. Destroyed with the abort reason when `signal` fires.
 */
export function packTree(root: string, opts: WalkOptions = {}): tar.Pack {
  const pack = tar.pack();
  // Consumers see errors through their reads; an unheard 'error' would be thrown by streamx.
  pack.on('error', () => undefined);
  const { signal } = opts;
  const onAbort = (): void => { pack.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted')); };
  signal?.addEventListener('abort', onAbort, { once: true });
  void (async () => {
    try {
      for await (const e of walkTree(root, opts)) {
        if (pack.destroying) return;
        await addEntry(pack, e);
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  })();
  return pack;
}

/**
 * Reads a file whose size lstat gave. Synchronous on purpose: on a cached tree one syscall is a few
 * microseconds while a thread-pool round trip costs more than the read; each call is short and the
 * walk yields between entries.
 */
function readSmall(path: string, size: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    if (got !== size) throw new Error(`${path} changed while it was read (${size} bytes expected, ${got} read)`);
    return buf;
  } finally {
    closeSync(fd);
  }
}

function headerOf(e: WalkEntry, size: number): TarHeader {
  const h: TarHeader = { name: e.name, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, size };
  if (e.linkname !== undefined) h.linkname = e.linkname;
  if (e.devmajor !== undefined) { h.devmajor = e.devmajor; h.devminor = e.devminor ?? 0; }
  if (e.uid > MAX_USTAR_ID || e.gid > MAX_USTAR_ID) {
    // ustar holds 7 octal digits; bigger ids go into a pax header like GNU tar --format=posix.
    h.pax = { ...(e.uid > MAX_USTAR_ID ? { uid: String(e.uid) } : {}), ...(e.gid > MAX_USTAR_ID ? { gid: String(e.gid) } : {}) };
    if (e.uid > MAX_USTAR_ID) h.uid = 0;
    if (e.gid > MAX_USTAR_ID) h.gid = 0;
  }
  return h;
}

function entryDone(pack: tar.Pack, header: TarHeader, body?: Buffer): { sink: ReturnType<tar.Pack['entry']>; done: Promise<void> } {
  let sink!: ReturnType<tar.Pack['entry']>;
  const done = new Promise<void>((resolve, reject) => {
    const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
    sink = body !== undefined ? pack.entry(header, body, cb) : pack.entry(header, cb);
    // The callback reports the error; without a listener streamx would throw it.
    sink.on('error', () => undefined);
  });
  done.catch(() => undefined);
  return { sink, done };
}

async function addEntry(pack: tar.Pack, e: WalkEntry): Promise<void> {
  if (e.type !== 'file') {
    await entryDone(pack, headerOf(e, 0)).done;
    return;
  }
  if (e.size <= SMALL_FILE) {
    const body = readSmall(e.path, e.size);
    await entryDone(pack, headerOf(e, body.length), body).done;
    return;
  }
  const { sink, done } = entryDone(pack, headerOf(e, e.size));
  const src = createReadStream(e.path, { highWaterMark: 1 << 20, end: e.size - 1 });
  let written = 0;
  try {
    for await (const chunk of src) {
      written += (chunk as Buffer).length;
      if (!sink.write(chunk as Buffer)) await Promise.race([once(sink, 'drain'), done]);
    }
  } finally {
    src.destroy();
  }
  if (written !== e.size) throw new Error(`${e.path} changed while it was read (${e.size} bytes expected, ${written} read)`);
  sink.end(undefined);
  await done;
}
