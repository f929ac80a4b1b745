import type { FsTree } from './tree';

/** One installed package, from the dpkg database. */
export interface DpkgPackage {
  readonly name: string;
  readonly arch: string;
  readonly version: string;
  /** Source package name and version (default: the package's own). */
  readonly source: string;
  readonly sourceVersion: string;
  /** `Installed-Size` in bytes (dpkg writes KiB). */
  readonly declaredBytes: number;
  readonly essential: boolean;
  readonly priority: string;
  /** Depends + Pre-Depends: each entry a list of alternatives (package names). */
  readonly depends: readonly (readonly string[])[];
  readonly provides: readonly string[];
  /** Paths from info/*.list (else *.md5sums and *.conffiles; or status.d/*.md5sums), normalised. */
  readonly files: string[];
  /** What its maintainer script removes besides its listed files (see purgedPaths); none when unknown. */
  purges?: PurgedPath[];
}

/** A path a maintainer script `rm`s: normalised, possibly with `*`, `?` or `[…]`; `recursive` for `rm -r`. */
export interface PurgedPath {
  readonly path: string;
  readonly recursive: boolean;
}

/** `dpkg-divert`: `from` is moved to `to` for every package but `by`. */
export interface Diversion {
  readonly from: string;
  readonly to: string;
  /** The diverting package, or `:` for a local diversion. */
  readonly by: string;
}

export interface DpkgDb {
  readonly packages: DpkgPackage[];
  readonly diversions: Diversion[];
}

/** Parses deb822 control paragraphs (status, status.d/*); continuation lines are kept with `\n`. */
export function parseControl(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let cur: Record<string, string> = {};
  let last: string | undefined;
  const flush = (): void => { if (Object.keys(cur).length > 0) out.push(cur); cur = {}; last = undefined; };
  for (const line of text.split('\n')) {
    if (line.trim() === '') { flush(); continue; }
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) { cur[last] += `\n${line.slice(1)}`; continue; }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    cur[last] = line.slice(colon + 1).trim();
  }
  flush();
  return out;
}

/** `a (>= 1), b | c:any [amd64] <!nocheck>` → [[a], [b, c]]. */
export function parseDepends(field: string | undefined): string[][] {
  if (field === undefined || field.trim() === '') return [];
  return field.split(',').map((group) => group.split('|')
    .map((alt) => alt.replace(/\([^)]*\)|\[[^\]]*\]|<[^>]*>/g, '').trim().split(':')[0]!.trim())
    .filter((n) => n !== '')).filter((g) => g.length > 0);
}

const INSTALLED = new Set(['installed', 'half-configured', 'unpacked', 'half-installed', 'triggers-awaited', 'triggers-pending']);

function toPackage(p: Record<string, string>): DpkgPackage | undefined {
  const name = p['package'];
  if (name === undefined) return undefined;
  const state = (p['status'] ?? 'install ok installed').split(/\s+/)[2] ?? 'installed';
  if (!INSTALLED.has(state)) return undefined;
  const version = p['version'] ?? '';
  const src = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(p['source'] ?? '');
  const kib = Number(p['installed-size'] ?? '0');
  return {
    name, arch: p['architecture'] ?? 'all', version,
    source: src?.[1] ?? name, sourceVersion: src?.[2] ?? version,
    declaredBytes: Number.isFinite(kib) ? kib * 1024 : 0,
    essential: (p['essential'] ?? '').toLowerCase() === 'yes',
    priority: p['priority'] ?? '',
    depends: [...parseDepends(p['pre-depends']), ...parseDepends(p['depends'])],
    provides: parseDepends(p['provides']).map((g) => g[0]!),
    files: [],
  };
}

const lines = (b: Buffer): string[] => b.toString('utf8').split('\n');
/** A path from a list (`/usr/bin/x`) or an md5sums line (`hash  usr/bin/x`), normalised. */
const listPath = (l: string): string => l.replace(/^\/+/, '').replace(/\/+$/, '');
const md5Path = (l: string): string | undefined => {
  const m = /^[0-9a-f]{32}\s+(.+)$/.exec(l);
  return m ? listPath(m[1]!) : undefined;
};

/**
 * The dpkg database of a tree: `var/lib/dpkg/status` with `info/*.list`, `*.md5sums` and
 * `*.conffiles`, or distroless-style `status.d/NAME` with `status.d/NAME.md5sums`; and the
 * diversions. Undefined when the tree has no dpkg database.
 */
export function readDpkg(tree: FsTree): DpkgDb | undefined {
  const status = tree.read('var/lib/dpkg/status');
  const statusD = tree.list('var/lib/dpkg/status.d');
  if (status === undefined && statusD.length === 0) return undefined;
  const packages: DpkgPackage[] = [];
  const byKey = new Map<string, DpkgPackage>();
  const add = (p: DpkgPackage | undefined): void => {
    if (!p) return;
    const key = `${p.name}:${p.arch}`;
    if (byKey.has(key)) return;
    byKey.set(key, p);
    if (!byKey.has(p.name)) byKey.set(p.name, p);
    packages.push(p);
  };
  if (status) for (const para of parseControl(status.toString('utf8'))) add(toPackage(para));
  const md5D: { name: string; content: Buffer }[] = [];
  for (const f of statusD) {
    if (f.name.endsWith('.md5sums')) md5D.push(f);
    else for (const para of parseControl(f.content.toString('utf8'))) add(toPackage(para));
  }
  const owner = (file: string, suffix: string): DpkgPackage | undefined => byKey.get(file.slice(0, -suffix.length));
  for (const f of md5D) {
    const p = owner(f.name, '.md5sums');
    if (p) for (const l of lines(f.content)) { const x = md5Path(l); if (x) p.files.push(x); }
  }
  // A package's .list names every path it installs, its md5sums and conffiles among them: those two are read
  // only for a package without a .list, so that each path is attributed once.
  const info = tree.list('var/lib/dpkg/info');
  const listed = new Set<DpkgPackage>();
  for (const f of info) {
    if (!f.name.endsWith('.list')) continue;
    const p = owner(f.name, '.list');
    if (!p) continue;
    listed.add(p);
    for (const l of lines(f.content)) { const x = listPath(l); if (x !== '' && x !== '.') p.files.push(x); }
  }
  for (const f of info) {
    if (f.name.endsWith('.md5sums')) {
      const p = owner(f.name, '.md5sums');
      if (p && !listed.has(p)) for (const l of lines(f.content)) { const x = md5Path(l); if (x) p.files.push(x); }
    } else if (f.name.endsWith('.postrm')) {
      const p = owner(f.name, '.postrm');
      if (p) p.purges = purgedPaths(f.content.toString('utf8'));
    } else if (f.name.endsWith('.conffiles')) {
      const p = owner(f.name, '.conffiles');
      if (p && !listed.has(p)) for (const l of lines(f.content)) { const x = listPath(l.replace(/\s+(?:obsolete|remove-on-upgrade)$/, '').trim()); if (x !== '') p.files.push(x); }
    }
  }
  const diversions: Diversion[] = [];
  const div = tree.read('var/lib/dpkg/diversions');
  if (div) {
    const l = lines(div).filter((x) => x !== '');
    for (let i = 0; i + 2 < l.length; i += 3) diversions.push({ from: listPath(l[i]!), to: listPath(l[i + 1]!), by: l[i + 2]!.trim() });
  }
  return { packages, diversions };
}

/**
 * The literal absolute paths a postrm script hands to `rm` (`rm -f /etc/ssl/certs/ca-certificates.crt`,
 * `rm -rf /var/lib/foo`, `rm -f /etc/foo.conf*`): files its postinst made, which no package lists and a
 * purge deletes (issue 8: a removal frees what the inspector says). The script is not run or interpreted
 * beyond that: a path built from variables or command output is not known and is left out. A postrm
 * removes on `remove` and `purge` alike, and a purge runs both.
 */
export function purgedPaths(script: string): PurgedPath[] {
  const out: PurgedPath[] = [];
  // Continued lines joined; dpkg's DPKG_ROOT (the root it installs into, empty in an image) dropped.
  const text = script.replace(/\\\n/g, ' ').replace(/\$\{DPKG_ROOT(?::-)?\}|\$DPKG_ROOT\b/g, '');
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    for (const m of line.matchAll(/(?:^|[\s;&|(`])rm((?:\s+[^\s;&|)`]+)+)/g)) {
      let recursive = false;
      let options = true;
      for (const word of m[1]!.trim().split(/\s+/)) {
        if (/^[0-9&]*[<>]/.test(word)) break;
        if (options && word === '--') { options = false; continue; }
        if (options && word.startsWith('-')) { if (/^-[a-zA-Z]*[rR]/.test(word) || word === '--recursive') recursive = true; continue; }
        options = false;
        const path = word.replace(/^(["'])(.*)\1$/, '$2');
        if (!path.startsWith('/') || /[$`"'\\{}]/.test(path) || path.includes('/../') || path.endsWith('/..')) continue;
        const norm = listPath(path);
        if (norm !== '' && !/^[*?]/.test(norm)) out.push({ path: norm, recursive });
      }
    }
  }
  return out;
}
