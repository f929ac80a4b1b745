import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { normPath } from '../inspect/tree';

/**
 * A root file system seen from inside, as a chroot would: absolute symlinks point into it and
 * `..` never leaves it. Paths are absolute (`/usr/lib/…`); the root may be `/` itself.
 */
export class RootFs {
  private readonly dirs = new Map<string, string | null>();
  private readonly stats = new Map<string, Stats | null>();

  /** @param dir the root's folder on this machine */
  constructor(readonly dir: string) {}

  /** This machine's path of a path in the root. */
  host(path: string): string {
    return posix.join(this.dir, normPath(path));
  }

  lstat(path: string): Stats | undefined {
    const key = `/${normPath(path)}`;
    let st = this.stats.get(key);
    if (st === undefined) {
      try { st = lstatSync(this.host(key)); } catch { st = null; }
      this.stats.set(key, st);
    }
    return st ?? undefined;
  }

  /** `path` with every symlinked folder on the way resolved; the last component is not followed. Undefined when a folder is missing. */
  canonical(path: string): string | undefined {
    const p = `/${normPath(path)}`;
    if (p === '/') return '/';
    const dir = this.realDir(posix.dirname(p), 0);
    return dir === undefined ? undefined : posix.join(dir, posix.basename(p));
  }

  /** `path` fully resolved (the last component followed too), or undefined when it does not exist. */
  real(path: string): string | undefined {
    let p = this.canonical(path);
    for (let hops = 0; p !== undefined && hops < 40; hops++) {
      const st = this.lstat(p);
      if (!st) return undefined;
      if (!st.isSymbolicLink()) return p;
      p = this.canonical(this.target(p));
    }
    return undefined;
  }

  /** The symlink's target as a path in the root (relative targets joined to the link's folder). */
  target(link: string): string {
    const t = readlinkSync(this.host(link), 'utf8');
    return t.startsWith('/') ? t : posix.join(posix.dirname(link), t);
  }

  /** Bytes of a regular file (followed), or undefined. */
  read(path: string): Buffer | undefined {
    const r = this.real(path);
    if (r === undefined || !this.lstat(r)?.isFile()) return undefined;
    try { return readFileSync(this.host(r)); } catch { return undefined; }
  }

  /** Names in a folder (followed), or none. */
  list(dir: string): string[] {
    const r = this.real(dir);
    if (r === undefined) return [];
    try { return readdirSync(this.host(r)).sort(); } catch { return []; }
  }

  private realDir(dir: string, depth: number): string | undefined {
    if (dir === '/') return '/';
    const hit = this.dirs.get(dir);
    if (hit !== undefined) return hit ?? undefined;
    let out: string | undefined;
    if (depth <= 40) {
      const parent = this.realDir(posix.dirname(dir), depth + 1);
      if (parent !== undefined) {
        const here = posix.join(parent, posix.basename(dir));
        const st = this.lstat(here);
        if (st?.isDirectory()) out = here;
        else if (st?.isSymbolicLink()) out = this.realDir(`/${normPath(this.target(here))}`, depth + 1);
      }
    }
    this.dirs.set(dir, out ?? null);
    return out;
  }
}
