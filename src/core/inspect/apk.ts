import type { DpkgDb, DpkgPackage } from './dpkg';
import type { FsTree } from './tree';

/** A dependency or provides token (`so:libc.musl-x86_64.so.1`, `busybox>=1.36`, `cmd:sh=1.36.1-r15`) → its name. */
const tokenName = (t: string): string => t.replace(/[<>=~].*$/, '');

/**
 * Alpine's package database, `lib/apk/db/installed`, in the shape of the dpkg one (DpkgDb), so that
 * attribution and dependency facts work alike: `P:` name, `V:` version, `A:` arch, `I:` installed size
 * (bytes), `o:` origin (the source package), `D:` depends (`!` conflicts skipped; `so:` and `cmd:` names
 * resolved through `p:` provides), and each `F:` folder's `R:` files. apk has no Essential or priority:
 * what must stay is what `etc/apk/world` asks for (apkWorld). Undefined when the tree has no apk database.
 */
export function readApk(tree: FsTree): DpkgDb | undefined {
  const db = tree.read('lib/apk/db/installed');
  if (db === undefined) return undefined;
  const packages: DpkgPackage[] = [];
  for (const record of db.toString('utf8').split(/\n\s*\n/)) {
    const f: Record<string, string> = {};
    const files: string[] = [];
    let dir = '';
    for (const line of record.split('\n')) {
      if (line.length < 2 || line[1] !== ':') continue;
      const k = line[0]!;
      const v = line.slice(2);
      if (k === 'F') dir = v.replace(/^\/+|\/+$/g, '');
      else if (k === 'R') files.push(dir === '' ? v : `${dir}/${v}`);
      else if (!(k in f)) f[k] = v;
    }
    const name = f['P'];
    if (name === undefined || name === '') continue;
    const version = f['V'] ?? '';
    const size = Number(f['I'] ?? '0');
    const depends = (f['D'] ?? '').split(/\s+/).filter((t) => t !== '' && !t.startsWith('!')).map((t) => [tokenName(t)]);
    packages.push({
      name, version, arch: f['A'] ?? 'noarch', source: f['o'] ?? name, sourceVersion: version,
      declaredBytes: Number.isFinite(size) ? size : 0, essential: false, priority: '',
      depends, provides: (f['p'] ?? '').split(/\s+/).filter((t) => t !== '').map(tokenName), files,
    });
  }
  return { packages, diversions: [] };
}

/** The names `etc/apk/world` asks for (the recipe's packages of an Alpine image). */
export function apkWorld(tree: FsTree): Set<string> {
  return new Set((tree.read('etc/apk/world')?.toString('utf8') ?? '').split(/\s+/).map(tokenName).filter((n) => n !== ''));
}
