import { posix } from 'node:path';
import { readDpkg, type DpkgPackage } from '../inspect/dpkg';
import { FsTree } from '../inspect/tree';
import type { RootFs } from './root';

const DPKG = '/var/lib/dpkg';

/**
 * The root's dpkg database (read by inspect's reader, the one dpkg reader) and which package owns a
 * path: listed paths and asked paths are compared after the root's symlinked folders are resolved
 * (usr-merge: `/lib/x86_64-linux-gnu/libc.so.6` is `/usr/lib/…`), diversions honoured.
 */
export class PackageIndex {
  readonly packages: readonly DpkgPackage[];
  private readonly diverted = new Map<string, { to: string; by: string }>();
  private readonly divertedBase = new Set<string>();

  constructor(private readonly root: RootFs) {
    const tree = new FsTree();
    const add = (path: string): void => {
      const content = root.read(path);
      if (content) tree.set(path.slice(1), { kind: 'file', size: content.length, inode: tree.newInode(), compressed: 0, content });
    };
    add(`${DPKG}/status`);
    add(`${DPKG}/diversions`);
    for (const n of root.list(`${DPKG}/status.d`)) add(`${DPKG}/status.d/${n}`);
    // A package's .list names every file its .md5sums and .conffiles name: read those only without one.
    const info = root.list(`${DPKG}/info`);
    const listed = new Set(info.filter((n) => n.endsWith('.list')).map((n) => n.slice(0, -5)));
    for (const n of info) {
      const m = /^(.*)\.(list|md5sums|conffiles)$/.exec(n);
      if (m && (m[2] === 'list' || !listed.has(m[1]!))) add(`${DPKG}/info/${n}`);
    }
    const db = readDpkg(tree);
    this.packages = db?.packages ?? [];
    for (const d of db?.diversions ?? []) {
      this.diverted.set(root.canonical(`/${d.from}`) ?? `/${d.from}`, { to: `/${d.to}`, by: d.by });
      this.divertedBase.add(posix.basename(d.from));
    }
  }

  /**
   * The package that lists each path (the path itself, not what a symlink at it points to): one
   * pass over the database for all of them.
   */
  owners(paths: Iterable<string>): Map<string, DpkgPackage> {
    const want = new Map<string, string[]>();
    const bases = new Set<string>();
    for (const p of paths) {
      const c = this.root.canonical(p);
      if (c === undefined) continue;
      want.set(c, [...(want.get(c) ?? []), p]);
      bases.add(posix.basename(c));
    }
    const out = new Map<string, DpkgPackage>();
    for (const pkg of this.packages) {
      for (const f of pkg.files) {
        const base = f.slice(f.lastIndexOf('/') + 1);
        if (!bases.has(base)) continue;
        let path = `/${f}`;
        const div = this.divertedBase.has(base) ? this.diverted.get(this.root.canonical(path) ?? path) : undefined;
        if (div && div.by !== pkg.name) path = div.to;
        const c = this.root.canonical(path);
        for (const asked of (c !== undefined ? want.get(c) : undefined) ?? []) if (!out.has(asked)) out.set(asked, pkg);
      }
    }
    return out;
  }

  /**
   * The packages that list a file named `name` (`libssl.so.3`) anywhere: who would provide a missing library. A
   * package listed here with the file missing from the root had it removed (slimmed) after the install.
   */
  providers(name: string): DpkgPackage[] {
    const tail = `/${name}`;
    return this.packages.filter((p) => p.files.some((f) => f.endsWith(tail)));
  }

  /** The package's paragraph as the root's database holds it (status or status.d), for a status.d entry. */
  paragraph(pkg: DpkgPackage): string | undefined {
    const own = this.root.read(`${DPKG}/status.d/${pkg.name}`)?.toString('utf8');
    const texts = own !== undefined ? [own] : [this.root.read(`${DPKG}/status`)?.toString('utf8') ?? ''];
    for (const text of texts) {
      for (const para of text.split(/\n[ \t]*\n/)) {
        const name = /^Package:\s*(\S+)/im.exec(para)?.[1];
        const arch = /^Architecture:\s*(\S+)/im.exec(para)?.[1] ?? 'all';
        if (name === pkg.name && arch === pkg.arch) return `${para.trim()}\n`;
      }
    }
    return undefined;
  }

  /** `md5  path` lines of the package's files (info/NAME[:ARCH].md5sums or status.d/NAME.md5sums). */
  md5sums(pkg: DpkgPackage): Map<string, string> {
    const out = new Map<string, string>();
    for (const f of [`${DPKG}/info/${pkg.name}:${pkg.arch}.md5sums`, `${DPKG}/info/${pkg.name}.md5sums`, `${DPKG}/status.d/${pkg.name}.md5sums`]) {
      const text = this.root.read(f)?.toString('utf8');
      if (text === undefined) continue;
      for (const l of text.split('\n')) {
        const m = /^([0-9a-f]{32})\s+(.+)$/.exec(l);
        if (m) out.set(`/${m[2]!.replace(/^\/+/, '')}`, m[1]!);
      }
      break;
    }
    return out;
  }
}
