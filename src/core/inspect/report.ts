import { apkWorld, readApk } from './apk';
import { packageClass, pathClass, type ContainerClass } from './classes';
import { dependencyFacts } from './deps';
import { readDpkg, type DpkgPackage, type PurgedPath } from './dpkg';
import { readOsRelease, type OsRelease } from './osRelease';
import type { CompressedBy } from './layerScan';
import type { ScannedSource } from './sources';
import type { FsTree } from './tree';

export interface PackageReport {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  readonly source: string;
  readonly sourceVersion: string;
  /** Regular files present (hard links once). */
  readonly files: number;
  /** Real bytes of those files. */
  readonly bytes: number;
  /** dpkg's Installed-Size (KiB × 1024). */
  readonly declaredBytes: number;
  /** Share of the layers' gzip-6 bytes. */
  readonly compressedBytes: number;
  /**
   * Bytes freed by purging it and what only it needs: their files, their dpkg database files, and the files
   * their postrm scripts `rm` that no package lists (made by their postinst, see purgedPaths).
   */
  readonly freesBytes: number;
  readonly frees: readonly string[];
  readonly why: string;
  /** Id of its "not needed in a container" class, or null. */
  readonly class: string | null;
  /** Canonical paths of its files, `/`-prefixed. */
  readonly paths: readonly string[];
  /** Files no package lists that its postrm removes (`/`-prefixed), counted in what purging it frees. */
  readonly purgedPaths: readonly string[];
}

export interface UnownedGroup {
  /** The folder, `/`-prefixed. */
  readonly path: string;
  readonly files: number;
  readonly bytes: number;
  readonly compressedBytes: number;
}

export interface ClassReport extends ContainerClass {
  readonly files: number;
  readonly bytes: number;
}

export interface Report {
  readonly version: 1;
  readonly source: string;
  readonly packageManager: 'dpkg' | 'apk' | 'none';
  readonly os?: OsRelease;
  readonly layers: number;
  /** What measured the compressed size (`gzip -6`, or zlib where no gzip is installed). */
  readonly compressedBy: string;
  readonly totals: {
    readonly files: number;
    readonly bytes: number;
    /** The layers' gzip-6 bytes, as measured. */
    readonly compressedBytes: number;
    /** Bytes in a "not needed in a container" class (files once). */
    readonly removableBytes: number;
  };
  /** By bytes, largest first. */
  readonly packages: readonly PackageReport[];
  /** Files no package owns, by folder, largest first. */
  readonly unowned: readonly UnownedGroup[];
  readonly classes: readonly ClassReport[];
}

export interface ReportOptions {
  /** Packages the recipe asked for (their `why`). */
  readonly asked?: ReadonlySet<string>;
}

/** How the total was had: `gzip -6` only when every layer was measured by it; an estimate when any was estimated. */
function compressedBy(by: readonly CompressedBy[]): string {
  if (by.includes('estimate')) return 'gzip -6, estimated from samples';
  return by.every((b) => b === 'gzip -6') ? 'gzip -6' : 'zlib level 6';
}

const DPKG_INFO = /^var\/lib\/dpkg\/info\/([^/:]+)(?::[^/.]+)?\.[^/.]+$/;

/** A postrm's `rm` operand as a matcher of canonical paths: its fixed folders resolved like every path. */
function purgeMatcher(tree: FsTree, p: PurgedPath): RegExp {
  const wild = p.path.search(/[*?[]/);
  const fixed = wild < 0 ? p.path : p.path.slice(0, p.path.lastIndexOf('/', wild) + 1);
  // canonical() resolves the folders on the way, not the last component: `x` stands for what follows.
  const head = fixed === '' ? '' : fixed.endsWith('/') ? tree.canonical(`${fixed}x`).slice(0, -1) : tree.canonical(fixed);
  const rest = p.path.slice(fixed.length);
  let re = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    const close = c === '[' ? rest.indexOf(']', i + 2) : -1;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (close > 0) { re += `[${rest.slice(i + 1, close).replace(/^!/, '^').replace(/[\\\]]/g, '\\$&')}]`; i = close; }
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${head.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${re}${p.recursive ? '(?:/.*)?' : ''}$`);
}

const dirOf = (p: string): string => { const i = p.lastIndexOf('/'); return i < 0 ? '' : p.slice(0, i); };

/**
 * Attributes every regular file of a scanned tree to the dpkg package that lists it (paths compared
 * after symlinked folders are resolved, diversions honoured), sums real and compressed bytes once
 * per inode, and adds the dependency facts and container classes.
 */
export function buildReport(scanned: ScannedSource, source: string, opts: ReportOptions = {}): Report {
  const { tree } = scanned;
  const dpkg = readDpkg(tree);
  const apk = dpkg ? undefined : readApk(tree);
  const db = dpkg ?? apk;
  const asked = opts.asked ?? (apk ? apkWorld(tree) : undefined);
  const packages = db?.packages ?? [];
  const owner = new Map<string, number>();
  const divertedFrom = new Map<string, { to: string; by: string }>();
  for (const d of db?.diversions ?? []) divertedFrom.set(tree.canonical(d.from), { to: tree.canonical(d.to), by: d.by });
  packages.forEach((p, i) => {
    for (const f of p.files) {
      // A listed folder (a third of a .list) owns no file: skipped before the path is resolved.
      if (tree.nodes.get(f)?.kind === 'dir') continue;
      let path = tree.canonical(f);
      const div = divertedFrom.get(path);
      if (div && div.by !== p.name) path = div.to;
      if (!owner.has(path)) owner.set(path, i);
    }
  });

  const acc = packages.map(() => ({ files: 0, bytes: 0, compressed: 0, paths: [] as string[], classBytes: new Map<string, number>(), purged: [] as string[], purgedBytes: 0 }));
  const purges = packages.flatMap((p, i) => (p.purges ?? []).map((x) => ({ i, re: purgeMatcher(tree, x) })));
  const unowned = new Map<string, { files: number; bytes: number; compressed: number }>();
  const classAcc = new Map<string, { cls: ContainerClass; files: number; bytes: number }>();
  const pkgClass = packages.map((p) => packageClass(p.name));
  const seen = new Set<number>();
  /** A package's own files in the dpkg database (info/NAME[:ARCH].*): dpkg deletes them with it. */
  const dbBytes = new Map<string, number>();
  let files = 0;
  let bytes = 0;
  let removable = 0;
  for (const [rawPath, node] of tree.nodes) {
    if (node.kind !== 'file') continue;
    const path = tree.canonical(rawPath);
    const first = !seen.has(node.inode);
    seen.add(node.inode);
    const size = first ? node.size : 0;
    const i = owner.get(path);
    if (first) { files++; bytes += size; }
    const pc = pathClass(path);
    const cls = pc ?? (i !== undefined ? pkgClass[i] : undefined);
    if (cls && first) {
      removable += size;
      const c = classAcc.get(cls.id) ?? { cls, files: 0, bytes: 0 };
      c.files++;
      c.bytes += size;
      classAcc.set(cls.id, c);
    }
    if (i !== undefined) {
      const a = acc[i]!;
      a.paths.push(`/${path}`);
      if (!first) continue;
      a.files++;
      a.bytes += size;
      a.compressed += node.compressed;
      if (pc) a.classBytes.set(pc.id, (a.classBytes.get(pc.id) ?? 0) + size);
    } else if (first) {
      const purger = purges.find((x) => x.re.test(path));
      if (purger) { const a = acc[purger.i]!; a.purged.push(`/${path}`); a.purgedBytes += size; }
      const info = purger ? null : DPKG_INFO.exec(path);
      if (info) dbBytes.set(info[1]!, (dbBytes.get(info[1]!) ?? 0) + size);
      const dir = `/${dirOf(path)}`;
      const g = unowned.get(dir) ?? { files: 0, bytes: 0, compressed: 0 };
      g.files++;
      g.bytes += size;
      g.compressed += node.compressed;
      unowned.set(dir, g);
    }
  }

  const facts = dependencyFacts(packages, asked);
  const bytesOf = new Map(packages.map((p, i) => [p.name, acc[i]!.bytes + acc[i]!.purgedBytes]));
  const reports: PackageReport[] = packages.map((p: DpkgPackage, i) => {
    const a = acc[i]!;
    const f = facts.get(p.name) ?? { frees: [p.name], why: 'installed on purpose' };
    let cls = pkgClass[i]?.id ?? null;
    if (cls === null && a.bytes > 0) {
      for (const [id, b] of a.classBytes) if (b >= 0.9 * a.bytes) cls = id;
    }
    return {
      name: p.name, version: p.version, arch: p.arch, source: p.source, sourceVersion: p.sourceVersion,
      files: a.files, bytes: a.bytes, declaredBytes: p.declaredBytes, compressedBytes: Math.round(a.compressed),
      freesBytes: f.frees.reduce((s, n) => s + (bytesOf.get(n) ?? 0) + (dbBytes.get(n) ?? 0), 0), frees: f.frees, why: f.why, class: cls, paths: a.paths, purgedPaths: a.purged,
    };
  });
  reports.sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : 1));
  const classes: ClassReport[] = [...classAcc.values()].map(({ cls, files: n, bytes: b }) => ({
    id: cls.id, reason: cls.reason, files: n, bytes: b,
    remove: cls.remove.length > 0 ? cls.remove : reports.filter((r) => r.class === cls.id).flatMap((r) => r.paths),
  })).sort((a, b) => b.bytes - a.bytes);
  const os = readOsRelease(tree);
  return {
    version: 1, source, packageManager: dpkg ? 'dpkg' : apk ? 'apk' : 'none', ...(os ? { os } : {}), layers: scanned.layers.length,
    compressedBy: compressedBy(scanned.layers.map((l) => l.measuredBy)),
    totals: { files, bytes, compressedBytes: scanned.layers.reduce((s, l) => s + l.gzipBytes, 0), removableBytes: removable },
    packages: reports,
    unowned: [...unowned].map(([path, g]) => ({ path, files: g.files, bytes: g.bytes, compressedBytes: Math.round(g.compressed) }))
      .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1)),
    classes,
  };
}
