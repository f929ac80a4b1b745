import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { globRegex } from '../kernel/glob';

/**
 * An image's files read from a tar of its filesystem (`docker export`), for the checks of an image that has no shell
 * (a runtime image): what the built-in and file checks' scripts find with `stat`, `id`, `head` and `find`, found
 * here in the same output formats (scripts.ts), so run.ts judges both the same way.
 */

export interface TreeEntry {
  readonly path: string;
  readonly type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  /** Permission bits with setuid, setgid and sticky (what `stat -c %a` prints, in octal). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly linkname?: string;
  /** Of a regular file: its MD5 (as dpkg's md5sums have it) and its first bytes (at most the tree's keep). */
  readonly md5?: string;
  readonly head?: Buffer;
}

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const MAX_HOPS = 40;
/** The dynamic loaders the loader check looks for, by name (as scripts.ts LOADER_SCRIPT's list). */
const LOADER_NAME = /^(ld-linux[^/]*\.so\.\d+|ld64\.so\.\d+|ld\.so\.1|ld-musl-[^/]*\.so\.1)$/;

const norm = (p: string): string => {
  const n = posix.normalize(`/${p}`);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
};

export class ImageTree {
  private readonly children = new Map<string, string[]>();

  constructor(readonly entries: ReadonlyMap<string, TreeEntry>) {
    for (const p of entries.keys()) {
      if (p === '/') continue;
      const dir = posix.dirname(p);
      const list = this.children.get(dir) ?? [];
      list.push(posix.basename(p));
      this.children.set(dir, list);
    }
    for (const list of this.children.values()) list.sort();
  }

  /** Reads a tar stream; keeps each regular file's MD5 and its first `keepBytes` bytes. */
  static async read(stream: Readable, keepBytes: number): Promise<ImageTree> {
    const entries = new Map<string, TreeEntry>([['/', { path: '/', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0 }]]);
    const extract = tar.extract();
    const done = new Promise<void>((resolve, reject) => {
      extract.on('entry', (h, body, next) => {
        const path = norm(h.name);
        const type = h.type === 'file' || h.type === 'contiguous-file' ? 'file' : h.type === 'directory' ? 'directory'
          : h.type === 'symlink' ? 'symlink' : h.type === 'link' ? 'link' : 'other';
        const hash = createHash('md5');
        const kept: Buffer[] = [];
        let have = 0;
        body.on('data', (data: unknown) => {
          const c = data as Buffer;
          hash.update(c);
          if (have < keepBytes) { kept.push(c.subarray(0, keepBytes - have)); have += Math.min(c.length, keepBytes - have); }
        });
        body.on('end', () => {
          entries.set(path, {
            path, type, mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, size: h.size ?? 0,
            ...(h.linkname ? { linkname: type === 'link' ? norm(h.linkname) : h.linkname } : {}),
            ...(type === 'file' && { md5: hash.digest('hex'), head: Buffer.concat(kept) }),
          });
          next();
        });
        body.on('error', reject);
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
      stream.on('error', reject);
    });
    stream.pipe(extract);
    await done;
    return new ImageTree(entries);
  }

  /** The entry a path names after every symlink on the way (hard links to their target); undefined when none. */
  resolve(path: string): TreeEntry | undefined {
    let parts = norm(path).split('/').filter(Boolean);
    let at = '/';
    let hops = 0;
    while (parts.length > 0) {
      const next = posix.join(at, parts.shift()!);
      const e = this.entries.get(next);
      if (!e) return undefined;
      if (e.type === 'symlink') {
        if (++hops > MAX_HOPS) return undefined;
        const target = e.linkname!.startsWith('/') ? e.linkname! : posix.join(at, e.linkname!);
        parts = [...norm(target).split('/').filter(Boolean), ...parts];
        at = '/';
        continue;
      }
      at = next;
    }
    const e = this.entries.get(at);
    return e?.type === 'link' ? this.entries.get(e.linkname!) ?? e : e;
  }

  /** The paths a shell glob matches (`*`, `?`, `[…]` within one component, no leading dot), as `for f in $pattern` lists them. */
  glob(pattern: string): string[] {
    const parts = pattern.split('/').filter(Boolean);
    let found = ['/'];
    for (const part of parts) {
      const next: string[] = [];
      for (const dir of found) {
        if (!/[*?[]/.test(part)) { next.push(posix.join(dir, part)); continue; }
        const re = globRegex(part);
        const real = this.resolve(dir);
        if (real?.type !== 'directory') continue;
        for (const name of this.children.get(real.path) ?? []) if (re.test(name)) next.push(posix.join(dir, name));
      }
      found = next;
    }
    return found.filter((p) => this.resolve(p) !== undefined);
  }

  /** A file's text (its kept bytes), following symlinks; undefined when it is no regular file. */
  text(path: string): string | undefined {
    const e = this.resolve(path);
    return e?.type === 'file' ? e.head!.toString('utf8') : undefined;
  }

  /** `stat -L -c 'F %a %u %g %U %G %n'` of each match of each pattern, after `P <index>` (scripts.ts STAT_SCRIPT). */
  stat(patterns: readonly string[]): string {
    const users = table(this.text('/etc/passwd'));
    const groups = table(this.text('/etc/group'));
    const name = (rows: string[][], id: number): string => rows.find((r) => r[2] === String(id))?.[0] ?? 'UNKNOWN';
    const out: string[] = [];
    patterns.forEach((pattern, i) => {
      out.push(`P ${i}`);
      for (const p of this.glob(pattern)) {
        const e = this.resolve(p)!;
        out.push(`F ${e.mode.toString(8)} ${e.uid} ${e.gid} ${name(users, e.uid)} ${name(groups, e.gid)} ${p}`);
      }
    });
    return `${out.join('\n')}\n`;
  }

  /** `id -u USER` and `id -G USER` from the image's /etc/passwd and /etc/group (scripts.ts ID_SCRIPT); undefined: no such user. */
  id(user: string): string | undefined {
    const users = table(this.text('/etc/passwd'));
    const entry = /^\d+$/.test(user) ? users.find((r) => r[2] === user) : users.find((r) => r[0] === user);
    if (!entry) return undefined;
    const gid = entry[3] ?? entry[2]!;
    const extra = table(this.text('/etc/group')).filter((g) => (g[3] ?? '').split(',').includes(entry[0]!)).map((g) => g[2]!);
    return `${entry[2]}\n${[gid, ...extra.filter((g) => g !== gid)].join(' ')}\n`;
  }

  /** The files each installed package lists: status.d/*.md5sums (distroless style) and info/*.list, usr-merge aliases included. */
  private packaged(): Set<string> {
    const out = new Set<string>();
    for (const [p, e] of this.entries) {
      if (e.type !== 'file') continue;
      const sums = /^\/var\/lib\/dpkg\/status\.d\/[^/]+\.md5sums$/.test(p);
      if (!sums && !/^\/var\/lib\/dpkg\/info\/[^/]+\.list$/.test(p)) continue;
      for (const line of (e.head!.toString('utf8')).split('\n')) {
        const f = sums ? line.replace(/^[0-9a-f]{32} +/, '') : line;
        if (f.trim() === '') continue;
        const abs = norm(f);
        out.add(abs);
        out.add(abs.startsWith('/usr/') ? abs.slice(4) : `/usr${abs}`);
      }
    }
    return out;
  }

  /** Setuid and setgid files no package lists, a line each (scripts.ts SETUID_SCRIPT). */
  setuid(): string {
    const packaged = this.packaged();
    return [...this.entries.values()].filter((e) => e.type === 'file' && (e.mode & 0o6000) !== 0 && !packaged.has(e.path))
      .map((e) => `${e.path}\n`).join('');
  }

  /**
   * What scanners read, a line per problem (scripts.ts SCANNERS_SCRIPT): /etc/os-release, and dpkg's status, as one
   * file or as distroless's status.d, whose md5sums must match the files the image holds.
   */
  scanners(): string {
    const out: string[] = [];
    if (!this.resolve('/etc/os-release') && !this.resolve('/usr/lib/os-release')) out.push('no /etc/os-release (nor /usr/lib/os-release)');
    const status = this.resolve('/var/lib/dpkg/status');
    const stanzas = [...this.entries.values()].filter((e) => e.type === 'file' && /^\/var\/lib\/dpkg\/status\.d\/[^/.]+[^/]*$/.test(e.path) && !e.path.endsWith('.md5sums'));
    if (!(status?.type === 'file' && status.size > 0) && stanzas.length === 0) out.push(`${NO_DPKG_STATUS} (neither /var/lib/dpkg/status nor /var/lib/dpkg/status.d/)`);
    for (const e of this.entries.values()) {
      if (e.type !== 'file' || !/^\/var\/lib\/dpkg\/status\.d\/[^/]+\.md5sums$/.test(e.path)) continue;
      for (const line of e.head!.toString('utf8').split('\n')) {
        const m = /^([0-9a-f]{32}) +(.+)$/.exec(line);
        if (!m) continue;
        const f = this.resolve(m[2]!);
        if (f?.type !== 'file') out.push(`${e.path} lists /${m[2]}, which the image does not hold`);
        else if (f.md5 !== m[1]) out.push(`${e.path}: /${m[2]} differs from its md5sum`);
      }
    }
    return out.map((l) => `${l}\n`).join('');
  }

  /** The dynamic loader (a regular file named as one); undefined for an image without one (static programs). */
  loader(): string | undefined {
    return [...this.entries.values()].find((e) => e.type === 'file' && LOADER_NAME.test(posix.basename(e.path)))?.path;
  }

  /** Every regular ELF file, by its path in the image. */
  elfFiles(): string[] {
    return [...this.entries.values()].filter((e) => e.type === 'file' && e.head!.subarray(0, 4).equals(ELF_MAGIC)).map((e) => e.path).sort();
  }
}

/** The start of the scanners finding for an image without dpkg metadata (run.ts tells a static program's image by it). */
export const NO_DPKG_STATUS = 'no dpkg status';

function table(text: string | undefined): string[][] {
  return (text ?? '').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
}
