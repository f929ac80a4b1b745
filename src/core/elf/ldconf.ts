import { posix } from 'node:path';
import { globRegex } from '../kernel/glob';
import type { RootFs } from './root';

/** The files a glob names in the root, sorted per component as glob(3) sorts them. */
export function globRoot(root: RootFs, pattern: string): string[] {
  let found = ['/'];
  for (const part of pattern.split('/').filter((p) => p !== '')) {
    if (!/[*?[]/.test(part)) { found = found.map((d) => posix.join(d, part)).filter((p) => root.lstat(p) !== undefined || root.real(p) !== undefined); continue; }
    const m = globRegex(part);
    found = found.flatMap((d) => root.list(d).filter((n) => m.test(n)).map((n) => posix.join(d, n)));
  }
  return found;
}

/**
 * The library folders of the root's `/etc/ld.so.conf`, in order, with its `include` globs followed
 * (a relative include is relative to the including file's folder, as ldconfig reads it; a file is
 * read once). `hwcap` lines are ignored, as glibc ≥ 2.26 ignores them.
 */
export function ldSoConfDirs(root: RootFs, file = '/etc/ld.so.conf'): string[] {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const read = (path: string, depth: number): void => {
    if (seen.has(path) || depth > 16) return;
    seen.add(path);
    const text = root.read(path)?.toString('utf8');
    if (text === undefined) return;
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '') continue;
      const inc = /^include\s+(.+)$/.exec(line);
      if (inc) {
        for (const pat of inc[1]!.split(/\s+/)) {
          const abs = pat.startsWith('/') ? pat : posix.join(posix.dirname(path), pat);
          for (const f of globRoot(root, abs)) read(f, depth + 1);
        }
        continue;
      }
      if (/^hwcap\s/.test(line)) continue;
      // Old syntax allowed `dir=TYPE` and comma or space separated lists.
      for (const d of line.split(/[\s,:]+/)) {
        const dir = d.replace(/=.*$/, '');
        if (dir.startsWith('/') && !dirs.includes(posix.normalize(dir).replace(/\/$/, '') || '/')) dirs.push(posix.normalize(dir).replace(/\/$/, '') || '/');
      }
    }
  };
  read(file, 0);
  return dirs;
}
