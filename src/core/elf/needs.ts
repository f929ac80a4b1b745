import type { DpkgPackage } from '../inspect/dpkg';
import { PackageIndex } from './packages';
import { Resolver, type BinaryAnalysis, type NeededFile } from './resolve';
import { RootFs } from './root';

export interface NeededEntry extends NeededFile {
  /** The dpkg package that installed the file, when the root's database lists it. */
  readonly package?: string;
}

export interface BinaryNeeds extends Omit<BinaryAnalysis, 'needed'> {
  readonly needed: readonly NeededEntry[];
  /** The package of the binary itself, when it is in the root. */
  readonly package?: string;
}

export interface NeedsReport {
  /** The root's folder on this machine. */
  readonly root: string;
  readonly binaries: readonly BinaryNeeds[];
  /** The packages the needed files come from, by name. */
  readonly packages: readonly DpkgPackage[];
  /** Bytes of the binaries and every needed file, each real file once. */
  readonly bytes: number;
}

export interface BinarySpec {
  readonly path: string;
  /** A file on this machine rather than in the root. */
  readonly outside?: boolean;
}

/**
 * What binaries need in a root (a folder; `/` for this machine): each one's files with the reason
 * and the dpkg package of each, the packages, the bytes. Never throws for a bad binary: its entry
 * carries the error.
 */
export function needsOf(rootDir: string, binaries: readonly BinarySpec[], opts: { resolver?: Resolver; index?: PackageIndex } = {}): NeedsReport {
  const root = opts.resolver?.root ?? new RootFs(rootDir);
  const resolver = opts.resolver ?? new Resolver(root);
  const index = opts.index ?? new PackageIndex(root);
  const analyses = binaries.map((b) => resolver.analyse(b.path, { outside: b.outside ?? false }));
  const asked = analyses.flatMap((a) => [...(a.outside || a.error !== undefined ? [] : [a.path]), ...a.needed.flatMap((n) => [n.file, n.real])]);
  const owners = index.owners(asked);
  const pkgs = new Map<string, DpkgPackage>();
  const counted = new Map<string, number>();
  const owner = (p: string): DpkgPackage | undefined => {
    const pkg = owners.get(p);
    if (pkg) pkgs.set(pkg.name, pkg);
    return pkg;
  };
  const out: BinaryNeeds[] = analyses.map((a) => {
    const self = a.outside || a.error !== undefined ? undefined : owner(a.path);
    if (a.error === undefined) counted.set(a.outside ? `host:${a.path}` : root.real(a.path) ?? a.path, a.bytes);
    const needed = a.needed.map((n): NeededEntry => {
      counted.set(n.real, n.bytes);
      const pkg = owner(n.file) ?? owner(n.real);
      return { ...n, ...(pkg ? { package: pkg.name } : {}) };
    });
    return { ...a, needed, ...(self ? { package: self.name } : {}) };
  });
  let bytes = 0;
  for (const v of counted.values()) bytes += v;
  return { root: rootDir, binaries: out, packages: [...pkgs.values()].sort((x, y) => x.name.localeCompare(y.name)), bytes };
}

/** The CLI's `--format json` (README's "What does this binary need?"); a reader checks `version`. */
export interface NeedsJson {
  readonly version: 1;
  readonly binaries: readonly {
    readonly path: string;
    readonly static: boolean;
    readonly interpreter: string | null;
    readonly needed: readonly { readonly soname: string; readonly file: string; readonly package: string | null; readonly bytes: number; readonly reason: string }[];
    readonly missing: readonly { readonly soname: string; readonly neededBy: string; readonly reason: string }[];
    readonly error?: string;
  }[];
  readonly packages: readonly { readonly name: string; readonly version: string; readonly architecture: string }[];
  readonly bytes: number;
}

/** The report as the CLI's `--format json` prints it (version 1). */
export function needsJson(r: NeedsReport): NeedsJson {
  return {
    version: 1,
    binaries: r.binaries.map((b) => ({
      path: b.path,
      static: b.linking === 'static' || b.linking === 'static-pie',
      interpreter: b.interpreter ?? null,
      needed: b.needed.map((n) => ({ soname: n.soname, file: n.file, package: n.package ?? null, bytes: n.bytes, reason: n.reason })),
      missing: b.missing.map((m) => ({ soname: m.soname, neededBy: m.neededBy, reason: m.reason })),
      ...(b.error !== undefined ? { error: b.error } : {}),
    })),
    packages: r.packages.map((p) => ({ name: p.name, version: p.version, architecture: p.arch })),
    bytes: r.bytes,
  };
}

const kb = (n: number): string => (n >= 1_000_000 ? `${(n / 1_000_000).toFixed(2)} MB` : n >= 1000 ? `${(n / 1000).toFixed(1)} kB` : `${n} B`);

/** The report as text: per binary its linking, interpreter, files with packages and reasons, what is missing. */
export function needsText(r: NeedsReport): string {
  const lines: string[] = [];
  for (const b of r.binaries) {
    if (b.error !== undefined) { lines.push(`${b.path}: ${b.error}`, ''); continue; }
    const what = b.linking === 'static' ? 'statically linked: needs nothing but itself (FROM scratch)'
      : b.linking === 'static-pie' ? 'static-pie: needs nothing but itself (FROM scratch)'
        : `dynamically linked${b.interpreter !== undefined ? `, interpreter ${b.interpreter}` : ' (a shared library)'}`;
    lines.push(`${b.path} (${b.arch ?? 'unknown architecture'}, ${kb(b.bytes)}${b.package !== undefined ? `, ${b.package}` : ''}): ${what}`);
    const w = Math.max(0, ...b.needed.map((n) => n.soname.length));
    for (const n of b.needed) {
      lines.push(`  ${n.soname.padEnd(w)}  ${n.file}${n.real !== n.file ? ` -> ${n.real}` : ''}  ${kb(n.bytes)}  ${n.package ?? '(no package)'}`);
      lines.push(`  ${''.padEnd(w)}  ${n.reason}`);
    }
    for (const m of b.missing) lines.push(`  MISSING ${m.soname}: ${m.reason}`);
    lines.push('');
  }
  lines.push(`packages: ${r.packages.length > 0 ? r.packages.map((p) => `${p.name} ${p.version}`).join(', ') : 'none'}`);
  lines.push(`total: ${kb(r.bytes)}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON report as markdown, for a reader (VS Code's "What Does This Binary Need?"); table cells escaped. */
export function needsMarkdown(j: NeedsJson): string {
  const cell = (s: string): string => s.replace(/[\\|`*_[\]<>]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
  const out: string[] = [];
  for (const b of j.binaries) {
    out.push(`# ${cell(b.path)}`, '');
    if (b.error !== undefined) { out.push(`Cannot be read: ${cell(b.error)}`, ''); continue; }
    out.push(b.static ? 'Statically linked: it needs nothing but itself (`FROM scratch`).' : `Dynamically linked; interpreter ${cell(b.interpreter ?? 'none (a shared library)')}.`, '');
    if (b.needed.length > 0) {
      out.push('| needs | file | package | bytes | why |', '|---|---|---|---:|---|');
      for (const n of b.needed) out.push(`| ${cell(n.soname)} | ${cell(n.file)} | ${cell(n.package ?? '—')} | ${n.bytes} | ${cell(n.reason)} |`);
      out.push('');
    }
    for (const m of b.missing) out.push(`- **missing** ${cell(m.soname)}: ${cell(m.reason)}`);
    if (b.missing.length > 0) out.push('');
  }
  out.push(`**Packages:** ${j.packages.length > 0 ? j.packages.map((p) => `${cell(p.name)} ${cell(p.version)}`).join(', ') : 'none'}  `, `**Total:** ${kb(j.bytes)}`, '');
  return out.join('\n');
}
