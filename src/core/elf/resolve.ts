import { statSync } from 'node:fs';
import { posix } from 'node:path';
import { findArch } from '../kernel/arch';
import { ldSoConfDirs } from './ldconf';
import { readElf, type ElfFile, type ElfResult, type Linking } from './read';
import type { RootFs } from './root';

/** One file the binary needs at run time. */
export interface NeededFile {
  /** The name it is asked for (`libc.so.6`), or the file's name for files loaded by name. */
  readonly soname: string;
  /** Its path in the root, as the loader finds it (may be a symlink). */
  readonly file: string;
  /** The path with every symlink resolved: the bytes. */
  readonly real: string;
  readonly bytes: number;
  /** Why: `PT_INTERP of /usr/bin/ls`, `DT_NEEDED of /usr/bin/ls`, `getpwuid: passwd: files in nsswitch.conf`. */
  readonly reason: string;
}

export interface MissingFile {
  readonly soname: string;
  /** The file that asked for it. */
  readonly neededBy: string;
  readonly reason: string;
}

export interface BinaryAnalysis {
  /** The binary as given. */
  readonly path: string;
  /** A binary read from this machine, outside the root (it goes into an image on its own). */
  readonly outside: boolean;
  readonly bytes: number;
  readonly arch?: string;
  readonly linking?: Linking;
  readonly interpreter?: string;
  readonly needed: readonly NeededFile[];
  readonly missing: readonly MissingFile[];
  /** Set when the binary could not be read: not ELF, truncated, missing. */
  readonly error?: string;
}

interface Loaded {
  readonly path: string;
  readonly elf: ElfFile;
  readonly loader?: Loaded;
  /** Where $ORIGIN points; undefined for a binary outside the root. */
  readonly origin?: string;
}

/** Functions whose NSS databases the C library reads, by the name the program imports. */
const NSS: Readonly<Record<string, readonly string[]>> = Object.fromEntries([
  ...['getpwnam', 'getpwuid', 'getpwent', 'getpwnam_r', 'getpwuid_r', 'getpwent_r', 'setpwent', 'fgetpwent'].map((f) => [f, ['passwd']]),
  ...['getgrnam', 'getgrgid', 'getgrent', 'getgrnam_r', 'getgrgid_r', 'getgrent_r', 'setgrent'].map((f) => [f, ['group']]),
  ...['initgroups', 'getgrouplist'].map((f) => [f, ['group']]),
  ...['getspnam', 'getspnam_r', 'getspent'].map((f) => [f, ['shadow']]),
  ...['getaddrinfo'].map((f) => [f, ['hosts', 'services']]),
  ...['gethostbyname', 'gethostbyname2', 'gethostbyname_r', 'gethostbyname2_r', 'gethostbyaddr', 'gethostbyaddr_r', 'getnameinfo', 'gethostent'].map((f) => [f, ['hosts']]),
  ...['getservbyname', 'getservbyname_r', 'getservbyport', 'getservbyport_r', 'getservent'].map((f) => [f, ['services']]),
  ...['getprotobyname', 'getprotobyname_r', 'getprotobynumber', 'getprotobynumber_r', 'getprotoent'].map((f) => [f, ['protocols']]),
  ...['getnetbyname', 'getnetbyaddr', 'getnetent'].map((f) => [f, ['networks']]),
  ...['innetgr', 'setnetgrent', 'getnetgrent'].map((f) => [f, ['netgroup']]),
]);
const CANCEL = ['pthread_cancel', 'pthread_exit'];

/** A service line of nsswitch.conf: `files [NOTFOUND=return] systemd` → files, systemd. */
export function nsswitchServices(text: string, db: string): string[] | undefined {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '');
    const m = /^\s*([a-z_]+)\s*:(.*)$/.exec(line);
    if (m && m[1] === db) return m[2]!.replace(/\[[^\]]*\]/g, ' ').split(/\s+/).filter((s) => /^[a-z0-9_]+$/i.test(s));
  }
  return undefined;
}

/**
 * Resolves binaries against a root as its dynamic loader would: the interpreter, `DT_NEEDED`
 * breadth first through DT_RPATH (when there is no DT_RUNPATH, the loaders' chain), DT_RUNPATH,
 * the root's ld.so.conf and the architecture's default folders, skipping files of another class
 * or machine; then the files the C library loads by name. One instance caches what it read, so
 * analysing many binaries of one root reads each library once.
 */
export class Resolver {
  private readonly elves = new Map<string, ElfResult>();
  private readonly confDirs: readonly string[];

  constructor(readonly root: RootFs) {
    this.confDirs = ldSoConfDirs(root);
  }

  private elfAt(real: string): ElfResult {
    let r = this.elves.get(real);
    if (!r) { r = readElf(this.root.host(real), { imports: true }); this.elves.set(real, r); }
    return r;
  }

  private defaultDirs(arch: string | undefined, bits: 32 | 64): string[] {
    const t = arch !== undefined ? findArch(arch)?.triplet : undefined;
    return [...(t ? [`/lib/${t}`, `/usr/lib/${t}`] : []), ...(bits === 64 ? ['/lib64', '/usr/lib64'] : []), '/lib', '/usr/lib'];
  }

  private expand(dir: string, obj: Loaded): string | undefined {
    const t = obj.elf.arch !== undefined ? findArch(obj.elf.arch)?.triplet : undefined;
    if (/\$\{?ORIGIN\}?/.test(dir) && obj.origin === undefined) return undefined;
    const out = dir.replace(/\$\{ORIGIN\}|\$ORIGIN(?![A-Za-z0-9_])/g, obj.origin ?? '')
      .replace(/\$\{LIB\}|\$LIB(?![A-Za-z0-9_])/g, t ? `lib/${t}` : 'lib')
      .replace(/\$\{PLATFORM\}|\$PLATFORM(?![A-Za-z0-9_])/g, obj.elf.arch !== undefined ? findArch(obj.elf.arch)?.qemu ?? '' : '');
    return out.startsWith('/') ? posix.normalize(out) : undefined;
  }

  /** The folders searched for a name asked for by `obj`, in the loader's order. */
  searchDirs(obj: Loaded): string[] {
    const dirs: string[] = [];
    const push = (d: string | undefined): void => { if (d !== undefined && !dirs.includes(d)) dirs.push(d); };
    if (obj.elf.runpath.length === 0) {
      for (let o: Loaded | undefined = obj; o; o = o.loader) if (o.elf.runpath.length === 0) for (const d of o.elf.rpath) push(this.expand(d, o));
    }
    for (const d of obj.elf.runpath) push(this.expand(d, obj));
    for (const d of this.confDirs) push(d);
    for (const d of this.defaultDirs(obj.elf.arch, obj.elf.bits)) push(d);
    return dirs;
  }

  private fits(elf: ElfFile, like: ElfFile): boolean {
    return elf.bits === like.bits && elf.machine === like.machine && elf.endian === like.endian;
  }

  /** Finds `name` for `obj`: a path in the root and its parsed ELF, or undefined. */
  find(name: string, obj: Loaded): { path: string; real: string; elf: ElfFile } | undefined {
    const candidates = name.includes('/')
      ? [name.startsWith('/') ? name : obj.origin !== undefined ? posix.join(obj.origin, name) : undefined].filter((x): x is string => x !== undefined)
      : this.searchDirs(obj).map((d) => posix.join(d, name));
    for (const path of candidates) {
      const real = this.root.real(path);
      if (real === undefined || !this.root.lstat(real)?.isFile()) continue;
      const r = this.elfAt(real);
      if (r.ok && this.fits(r.elf, obj.elf)) return { path, real, elf: r.elf };
    }
    return undefined;
  }

  /**
   * What one binary needs. `path` is in the root unless `outside` (a file on this machine, e.g. a
   * program just built); never throws for bad input: the reason is in `error`.
   */
  analyse(path: string, opts: { outside?: boolean } = {}): BinaryAnalysis {
    const outside = opts.outside ?? false;
    const real = outside ? path : this.root.real(path);
    const base = { path, outside, needed: [] as NeededFile[], missing: [] as MissingFile[] };
    if (real === undefined) return { ...base, bytes: 0, error: `no such file in the root ${this.root.dir}` };
    const r = outside ? readElf(real, { imports: true }) : this.elfAt(real);
    if (!r.ok) return { ...base, bytes: 0, error: r.error };
    const elf = r.elf;
    const bytes = outside ? sizeOf(real) : this.root.lstat(real)?.size ?? 0;
    const needed: NeededFile[] = [];
    const missing: MissingFile[] = [];
    const head = { ...base, bytes, ...(elf.arch !== undefined ? { arch: elf.arch } : {}), linking: elf.linking, needed, missing };
    if (elf.linking !== 'dynamic' || (elf.interpreter === undefined && elf.type === 'exec')) return head;
    const exe: Loaded = { path, elf, ...(outside ? {} : { origin: posix.dirname(real) }) };
    const byName = new Map<string, Loaded>();
    const byReal = new Map<string, Loaded>();
    const all: Loaded[] = [exe];
    if (!outside) byReal.set(real, exe);
    const add = (name: string, found: { path: string; real: string; elf: ElfFile }, loader: Loaded, reason: string): Loaded => {
      const obj: Loaded = { path: found.path, elf: found.elf, loader, origin: posix.dirname(found.path) };
      byReal.set(found.real, obj);
      byName.set(name, obj);
      if (found.elf.soname !== undefined) byName.set(found.elf.soname, obj);
      all.push(obj);
      needed.push({ soname: name, file: found.path, real: found.real, bytes: this.root.lstat(found.real)?.size ?? 0, reason });
      return obj;
    };
    if (elf.interpreter !== undefined) {
      const ireal = this.root.real(elf.interpreter);
      const ir = ireal !== undefined ? this.elfAt(ireal) : undefined;
      if (ireal !== undefined && ir?.ok) add(posix.basename(elf.interpreter), { path: elf.interpreter, real: ireal, elf: ir.elf }, exe, `PT_INTERP of ${path}`);
      else missing.push({ soname: elf.interpreter, neededBy: path, reason: `PT_INTERP of ${path}${ir && !ir.ok ? `: ${ir.error}` : ''}` });
    }
    const load = (queue: Loaded[]): void => {
      while (queue.length > 0) {
        const obj = queue.shift()!;
        for (const name of obj.elf.needed) {
          if (byName.has(name)) continue;
          const found = this.find(name, obj);
          if (!found) {
            if (!missing.some((m) => m.soname === name)) missing.push({ soname: name, neededBy: obj.path, reason: `DT_NEEDED of ${obj.path}` });
            continue;
          }
          const same = byReal.get(found.real);
          if (same) { byName.set(name, same); continue; }
          queue.push(add(name, found, obj, `DT_NEEDED of ${obj.path}`));
        }
      }
    };
    load([exe]);

    // Files the C library opens by name (dlopen, fopen), not by DT_NEEDED.
    const importers = new Map<string, string>();
    for (const o of all) for (const s of o.elf.imports ?? []) if (!importers.has(s)) importers.set(s, o.path);
    const libc = all.find((o) => o.elf.soname === 'libc.so.6');
    const dataFile = (name: string, file: string, reason: string): void => {
      const freal = this.root.real(file);
      if (freal === undefined || byReal.has(freal) || needed.some((n) => n.file === file)) return;
      needed.push({ soname: name, file, real: freal, bytes: this.root.lstat(freal)?.size ?? 0, reason });
    };
    const extra: Loaded[] = [];
    const dlopen = (name: string, reason: string): void => {
      if (byName.has(name)) return;
      const found = this.find(name, libc ?? exe);
      if (!found) { missing.push({ soname: name, neededBy: libc?.path ?? path, reason }); return; }
      if (byReal.has(found.real)) return;
      extra.push(add(name, found, libc ?? exe, reason));
    };
    const dbs = new Map<string, string>();
    for (const [fn, list] of Object.entries(NSS)) if (importers.has(fn)) for (const db of list) if (!dbs.has(db)) dbs.set(db, fn);
    if (dbs.size > 0) {
      const conf = this.root.read('/etc/nsswitch.conf')?.toString('utf8');
      const first = [...dbs.values()][0]!;
      if (conf !== undefined) dataFile('nsswitch.conf', '/etc/nsswitch.conf', `${first} (${importers.get(first)}): the C library reads nsswitch.conf for its databases`);
      const builtIn = new Set<string>();
      if (libc) {
        const lr = readElf(this.root.host(this.root.real(libc.path) ?? libc.path), { exports: true });
        if (lr.ok) for (const s of lr.elf.exports ?? []) { const m = /^_nss_([a-z0-9]+)_/.exec(s); if (m) builtIn.add(m[1]!); }
      }
      for (const [db, fn] of dbs) {
        const services = (conf !== undefined ? nsswitchServices(conf, db) : undefined) ?? ['files'];
        for (const svc of services) {
          if (builtIn.has(svc)) continue;
          const name = `libnss_${svc}.so.2`;
          if (byName.has(name)) continue;
          const found = this.find(name, libc ?? exe);
          // glibc skips a service whose module is not installed: not missing, nothing to copy.
          if (found && !byReal.has(found.real)) extra.push(add(name, found, libc ?? exe, `${fn} (${importers.get(fn)}): ${db}: ${svc} in nsswitch.conf`));
        }
      }
    }
    if (importers.has('iconv_open')) {
      const t = elf.arch !== undefined ? findArch(elf.arch)?.triplet : undefined;
      const dir = [t ? `/usr/lib/${t}/gconv` : undefined, '/usr/lib/gconv', '/usr/lib64/gconv'].find((d) => d !== undefined && this.root.real(d) !== undefined);
      if (dir !== undefined) {
        const why = `iconv_open (${importers.get('iconv_open')}): the C library finds converters by charset name in the gconv module list (add the converters you use)`;
        for (const f of ['gconv-modules', 'gconv-modules.cache']) dataFile(f, `${dir}/${f}`, why);
        for (const f of this.root.list(`${dir}/gconv-modules.d`)) if (f.endsWith('.conf')) dataFile(f, `${dir}/gconv-modules.d/${f}`, why);
      }
    }
    const cancel = CANCEL.find((f) => importers.has(f));
    if (cancel !== undefined) dlopen('libgcc_s.so.1', `${cancel} (${importers.get(cancel)}): the C library loads libgcc_s.so.1 to unwind a cancelled thread`);
    load(extra);
    return { ...head, ...(elf.interpreter !== undefined ? { interpreter: elf.interpreter } : {}) };
  }
}

function sizeOf(path: string): number {
  try { return statSync(path).size; } catch { return 0; }
}
