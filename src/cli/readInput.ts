import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import type { FileKind } from '../core/kernel/fileKind';
import { decodeUtf8, type DecodedText } from '../core/kernel/text';
import { UsageError } from './usageError';

/** The largest file each kind is read up to, unless `--max-file-size` says otherwise. */
export const MAX_FILE_BYTES: Readonly<Record<FileKind, number>> = {
  dockerfile: 10 * 1024 * 1024,
  shell: 10 * 1024 * 1024,
  recipe: 1024 * 1024,
};
/** The limit for a file whose kind is known only once read. */
export const MAX_ANY_FILE_BYTES = Math.max(...Object.values(MAX_FILE_BYTES));

export type InputFile = DecodedText & { readonly bytes: Buffer };
/** Read, or why not: one clear sentence. */
export type ReadOutcome = { readonly ok: true; readonly file: InputFile } | { readonly ok: false; readonly reason: string };

const MB = 1024 * 1024;
export const formatSize = (n: number): string =>
  n >= MB ? `${+(n / MB).toFixed(1)} MB` : n >= 1024 ? `${+(n / 1024).toFixed(1)} KB` : `${n} bytes`;

function notRegular(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  const what = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a named pipe (FIFO)' : st.isCharacterDevice() ? 'a character device'
    : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a file';
  return `not a regular file (${what}); ownbase reads only regular files`;
}

/** Why a file system call failed, in words, from its error code. */
export function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ELOOP': return 'too many levels of symbolic links (a symbolic link loop)';
    case 'ENOTDIR': return 'a path component is not a directory';
    case 'ENAMETOOLONG': return 'file name too long';
    default: return e.message ?? String(err);
  }
}

/**
 * Reads an input file (Dockerfile, recipe, script) without ever blocking or reading without end: anything that is
 * not a regular file (a FIFO, /dev/zero, a socket) is refused before it is opened, and a file larger than `maxBytes`
 * is refused with its size. The text is decoded as UTF-8; the first byte that is not is reported, not hidden.
 */
export function readInput(path: string, maxBytes: number): ReadOutcome {
  let st: Stats;
  try { st = statSync(path); } catch (err) { return { ok: false, reason: reasonOf(err) }; }
  const odd = notRegular(st);
  if (odd) return { ok: false, reason: odd };
  const tooLarge = (size: number) => ({ ok: false as const, reason: `${formatSize(size)}, larger than the limit of ${formatSize(maxBytes)} (raise it with --max-file-size)` });
  if (st.size > maxBytes) return tooLarge(st.size);
  let fd: number;
  // O_NONBLOCK: should the path have become a FIFO since the stat, opening it still returns at once.
  try { fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY); } catch (err) { return { ok: false, reason: reasonOf(err) }; }
  try {
    const again = notRegular(fstatSync(fd));
    if (again) return { ok: false, reason: again };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return tooLarge(total); // grew since the stat
    }
    const bytes = Buffer.concat(chunks, total);
    return { ok: true, file: { bytes, ...decodeUtf8(bytes) } };
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  } finally {
    closeSync(fd);
  }
}

/** `--max-file-size` values: bytes, or with a unit (`512K`, `20M`, `20MB`). */
export function parseFileSize(value: string): number {
  const m = /^(\d+)\s*([kKmM]i?[bB]?|[bB])?$/.exec(value);
  if (!m) throw new UsageError(`--max-file-size takes a size such as 20M, 512K or 1048576, not '${value}'`);
  const unit = (m[2] ?? '').toUpperCase()[0];
  const n = Number(m[1]) * (unit === 'K' ? 1024 : unit === 'M' ? MB : 1);
  if (n <= 0 || !Number.isSafeInteger(n)) throw new UsageError(`--max-file-size must be positive, not '${value}'`);
  return n;
}
