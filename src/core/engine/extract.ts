import { createWriteStream } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import * as tar from 'tar-stream';

export interface ExtractOptions {
  readonly signal?: AbortSignal;
  /** Apply the entries' uid/gid (default: when running as root). */
  readonly preserveOwner?: boolean;
}

export interface SkippedEntry {
  readonly name: string;
  readonly reason: string;
}

export interface ExtractResult {
  /** Entries written (directories, files, links, devices, fifos). */
  readonly entries: number;
  /** Bytes of file content written. */
  readonly bytes: number;
  /** What could not be recreated, and why (e.g. devices when not root, paths escaping the folder). */
  readonly skipped: readonly SkippedEntry[];
}

/** Splits a tar entry name into safe path components, or undefined when it leaves the folder. */
export function safeComponents(name: string): string[] | undefined {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  return parts.includes('..') ? undefined : parts;
}

/**
 * Extracts a tar stream into `dest` (which must exist), preserving modes incl. setuid, mtimes,
 * symlinks, hard links and — as root — owners, devices and fifos. Nothing is written outside
 * `dest`: names with `..` are skipped and no write goes through a symlink in the tree.
 */
export async function extractTar(input: Readable, dest: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const asRoot = process.getuid?.() === 0;
  const preserveOwner = opts.preserveOwner ?? asRoot;
  const realDirs = new Set<string>(['']);
  const dirs: { path: string; mode: number; mtime: Date }[] = [];
  const skipped: SkippedEntry[] = [];
  let entries = 0;
  let bytes = 0;

  /** Makes sure every parent of `parts` is a real directory inside dest (created if missing). */
  const parentsReal = async (parts: string[]): Promise<boolean> => {
    let rel = '';
    for (const p of parts.slice(0, -1)) {
      rel = rel === '' ? p : `${rel}/${p}`;
      if (realDirs.has(rel)) continue;
      const st = await lstat(join(dest, rel)).catch(() => undefined);
      if (st === undefined) await mkdir(join(dest, rel), { mode: 0o755 });
      else if (!st.isDirectory()) return false;
      realDirs.add(rel);
    }
    return true;
  };

  const extract = tar.extract();
  const onAbort = (): void => {
    const reason = signal?.reason instanceof Error ? signal.reason : new Error('aborted');
    input.destroy(reason);
    extract.destroy(reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  input.on('error', (e) => extract.destroy(e));
  input.pipe(extract as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const parts = safeComponents(h.name);
      const skip = (reason: string): void => { skipped.push({ name: h.name, reason }); };
      if (parts === undefined) { skip('leaves the folder (..)'); entry.resume(); continue; }
      if (parts.length === 0) { entry.resume(); continue; }
      if (!(await parentsReal(parts))) { skip('a parent is not a directory (symlink or file)'); entry.resume(); continue; }
      const rel = parts.join('/');
      const path = join(dest, rel);
      const existing = await lstat(path).catch(() => undefined);
      if (existing && !(existing.isDirectory() && h.type === 'directory')) await rm(path, { recursive: true, force: true });
      const pax = (h.pax ?? {}) as Record<string, string>;
      const uid = pax['uid'] !== undefined ? Number(pax['uid']) : h.uid;
      const gid = pax['gid'] !== undefined ? Number(pax['gid']) : h.gid;
      const mode = h.mode & 0o7777;
      let made = true;
      switch (h.type) {
        case 'directory':
          if (!existing) await mkdir(path, { mode: 0o700 });
          realDirs.add(rel);
          dirs.push({ path, mode, mtime: h.mtime });
          entry.resume();
          break;
        case 'file':
        case 'contiguous-file':
          await pipeline(entry as unknown as Readable, createWriteStream(path, { mode: 0o600 }));
          bytes += h.size;
          break;
        case 'symlink':
          await symlink(h.linkname, path);
          entry.resume();
          break;
        case 'link': {
          const target = safeComponents(h.linkname);
          entry.resume();
          if (target === undefined || target.length === 0 || !target.slice(0, -1).every((_, i) => realDirs.has(target.slice(0, i + 1).join('/')))) {
            skip(`hard link target ${h.linkname} is not a file extracted here`);
            made = false;
            break;
          }
          await link(join(dest, target.join('/')), path);
          break;
        }
        case 'character-device':
        case 'block-device':
        case 'fifo':
          entry.resume();
          if (!asRoot) { skip(`${h.type} needs root`); made = false; break; }
          await execa('mknod', h.type === 'fifo'
            ? ['-m', '600', path, 'p']
            : ['-m', '600', path, h.type === 'character-device' ? 'c' : 'b', String(h.devmajor), String(h.devminor)]);
          break;
        default:
          entry.resume();
          skip(`unsupported entry type ${h.type}`);
          made = false;
      }
      if (!made) continue;
      entries++;
      if (h.type === 'link') continue;
      if (preserveOwner) await lchown(path, uid, gid);
      if (h.type === 'symlink') {
        await lutimes(path, h.mtime, h.mtime);
        continue;
      }
      await chmod(path, h.type === 'directory' ? mode | 0o700 : mode);
      if (h.type !== 'directory') await utimes(path, h.mtime, h.mtime);
    }
    signal?.throwIfAborted();
    // Directories last, deepest first: creating their children changed their mtimes, and they
    // were kept owner-writable until now.
    for (const d of dirs.reverse()) {
      await chmod(d.path, d.mode);
      await utimes(d.path, d.mtime, d.mtime);
    }
    return { entries, bytes, skipped };
  } catch (err) {
    input.destroy();
    extract.destroy();
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : err;
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
