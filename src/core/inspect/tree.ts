/** The file tree an image or folder ends up with, after its layers are applied in order. */
export type NodeKind = 'file' | 'dir' | 'symlink' | 'other';

export interface FsNode {
  readonly kind: NodeKind;
  /** Content bytes (regular files; a hard link carries its target's size). */
  readonly size: number;
  /** Equal for every name of one inode: hard links share it. */
  readonly inode: number;
  /** Symlink target, verbatim. */
  readonly target?: string;
  /** This entry's share of its layer's gzip-6 stream. */
  compressed: number;
  /** Kept for the files the inspector reads (dpkg database, os-release). */
  readonly content?: Buffer;
}

/** Normalises a tar or list path: no leading `./` or `/`, no trailing `/`, no `.` components. */
export function normPath(p: string): string {
  // Most paths (dpkg's lists, tar names after the first `./`) are normal already or only lack the strip of a
  // `./` or `/` prefix: a test is cheaper than the split and join below, paid for every file twice.
  const q = p.startsWith('./') ? p.slice(2) : p.startsWith('/') ? p.slice(1) : p;
  if (!ODD.test(q)) return q;
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') { out.pop(); continue; }
    out.push(c);
  }
  return out.join('/');
}

/** Something normPath must take apart: an empty, `.` or `..` component, or a leading or trailing `/`. */
const ODD = /(?:^|\/)\.{0,2}(?:\/|$)/;

const dirname = (p: string): string => { const i = p.lastIndexOf('/'); return i < 0 ? '' : p.slice(0, i); };
const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
const join = (a: string, b: string): string => (a === '' ? b : b === '' ? a : `${a}/${b}`);

/** A whiteout from an OCI/docker layer: `.wh.NAME` removes NAME, `.wh..wh..opq` empties the folder. */
export interface Whiteout {
  readonly path: string;
  readonly opaque: boolean;
}

export class FsTree {
  readonly nodes = new Map<string, FsNode>();
  private nextInode = 1;
  private dirCache = new Map<string, string>();

  newInode(): number { return this.nextInode++; }

  set(path: string, node: FsNode): void {
    this.nodes.set(path, node);
    if (node.kind === 'symlink' || this.dirCache.size > 0) this.dirCache.clear();
  }

  /**
   * Applies a layer's whiteouts to what the layers below made: one pass over the tree, whatever
   * the number of whiteouts.
   */
  applyWhiteouts(whiteouts: readonly Whiteout[]): void {
    if (whiteouts.length === 0) return;
    const gone = new Set<string>();
    const emptied = new Set<string>();
    for (const w of whiteouts) (w.opaque ? emptied : gone).add(w.path);
    for (const path of this.nodes.keys()) {
      if (gone.has(path)) { this.nodes.delete(path); continue; }
      for (let d = dirname(path); ; d = dirname(d)) {
        if (gone.has(d) || emptied.has(d)) { this.nodes.delete(path); break; }
        if (d === '') break;
      }
    }
    this.dirCache.clear();
  }

  /**
   * The path with every symlinked folder on the way resolved, as the kernel would (usr-merge:
   * `lib/x` → `usr/lib/x`); the last component itself is not followed.
   */
  canonical(path: string): string {
    const p = normPath(path);
    const slash = p.lastIndexOf('/');
    if (slash < 0) return p;
    const d = p.slice(0, slash);
    const r = this.resolveDir(d, 0);
    // Most folders are no link: the path is its own answer, no new string.
    return r === d ? p : join(r, p.slice(slash + 1));
  }

  /** A path with its last component followed too (for reading a file through a symlink). */
  follow(path: string): string {
    let p = this.canonical(path);
    for (let hops = 0; hops < 40; hops++) {
      const n = this.nodes.get(p);
      if (n?.kind !== 'symlink' || n.target === undefined) return p;
      p = this.canonical(n.target.startsWith('/') ? n.target : join(dirname(p), n.target));
    }
    return p;
  }

  private resolveDir(dir: string, depth: number): string {
    if (dir === '') return '';
    const cached = this.dirCache.get(dir);
    if (cached !== undefined) return cached;
    if (depth > 40) return dir;
    const parent = this.resolveDir(dirname(dir), depth + 1);
    let here = join(parent, basename(dir));
    const n = this.nodes.get(here);
    if (n?.kind === 'symlink' && n.target !== undefined) {
      here = this.resolveDir(normPath(n.target.startsWith('/') ? n.target : join(parent, n.target)), depth + 1);
    }
    this.dirCache.set(dir, here);
    return here;
  }

  /** Content kept for `path` (followed through symlinks), if it is a file whose bytes were kept. */
  read(path: string): Buffer | undefined {
    const n = this.nodes.get(this.follow(path));
    return n?.kind === 'file' ? n.content : undefined;
  }

  /** Kept files directly inside `dir` (followed), by name. */
  list(dir: string): { name: string; content: Buffer }[] {
    const d = this.follow(dir);
    const prefix = d === '' ? '' : `${d}/`;
    const out: { name: string; content: Buffer }[] = [];
    for (const [path, n] of this.nodes) {
      if (n.kind !== 'file' || n.content === undefined || !path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      if (!rest.includes('/')) out.push({ name: rest, content: n.content });
    }
    return out;
  }
}
