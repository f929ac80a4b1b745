import { oneLine } from './path';
import { pathSegments, removalTouches, segmentsIntersect } from './glob';

/** A path the image needs to keep installing and removing packages. */
export interface Protected {
  readonly path: string;
  readonly what: string;
  /** Everything below the path matters too. */
  readonly tree?: boolean;
}

/**
 * What apt, dpkg and their package scripts need; the first one a pattern touches is reported. Paths under
 * /usr are written in their merged-/usr place: a pattern under /bin, /sbin or /lib* is judged in both places.
 */
const PROTECTED: readonly Protected[] = [
  { path: '/var/lib/dpkg', what: "dpkg's database of installed packages", tree: true },
  { path: '/usr/bin/dpkg*', what: 'dpkg' },
  { path: '/usr/bin/apt*', what: 'apt' },
  { path: '/usr/lib/apt', what: "apt's download methods", tree: true },
  { path: '/usr/lib/*/libapt-pkg.so*', what: "apt's library" },
  { path: '/usr/lib/*/libapt-private.so*', what: "apt's library" },
  { path: '/usr/bin/sh', what: 'the shell package scripts run in' },
  { path: '/usr/bin/dash', what: 'the shell package scripts run in' },
  { path: '/usr/lib/*/libc.so*', what: 'the C library' },
  { path: '/usr/lib/*/ld-*', what: 'the dynamic loader' },
  { path: '/usr/lib/ld-*', what: 'the dynamic loader' },
  { path: '/usr/lib64/ld*', what: 'the dynamic loader' },
  { path: '/usr/lib/ld64.so*', what: 'the dynamic loader' },
  { path: '/usr/sbin/ldconfig', what: 'ldconfig, which package scripts run' },
  { path: '/usr/sbin/start-stop-daemon', what: 'start-stop-daemon (dpkg)' },
  { path: '/usr/sbin/dpkg-*', what: 'debconf and dpkg helpers' },
  { path: '/usr/sbin/update-rc.d', what: 'update-rc.d, which package scripts run' },
  { path: '/usr/sbin/invoke-rc.d', what: 'invoke-rc.d, which package scripts run' },
  { path: '/usr/sbin/useradd', what: 'useradd, which package scripts run' },
  { path: '/usr/sbin/groupadd', what: 'groupadd, which package scripts run' },
  { path: '/etc/apt/sources.list*', what: "apt's package sources" },
  { path: '/etc/apt', what: "apt's configuration and sources" },
  { path: '/etc/dpkg', what: "dpkg's configuration" },
  { path: '/bin', what: 'the commands package scripts run' },
  { path: '/sbin', what: 'the system commands package scripts run' },
  { path: '/lib', what: 'the C library and the dynamic loader' },
  { path: '/lib64', what: 'the dynamic loader' },
  { path: '/etc', what: 'the system configuration' },
];

/** The top-level folders that merged /usr makes symlinks into /usr (usrmerge, debootstrap's default since bookworm). */
const MERGED = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/**
 * Where a pattern deletes files: as written, and, for a pattern under /bin, /sbin or /lib*, through the
 * merged-/usr symlink (`/bin/*` deletes /usr/bin/*). The folder itself (`/bin`) is only the symlink.
 */
function effectivePatterns(pattern: string): { readonly pattern: string; readonly via?: string }[] {
  const segs = pathSegments(pattern);
  const out: { pattern: string; via?: string }[] = [{ pattern }];
  if (segs.length < 2) return out;
  for (const dir of MERGED) {
    if (segmentsIntersect(segs[0]!, dir)) out.push({ pattern: `/usr/${dir}/${segs.slice(1).join('/')}`, via: `/${dir} → /usr/${dir}` });
  }
  return out;
}

function firstHit(pattern: string): { readonly hit: Protected; readonly via?: string } | undefined {
  const patterns = effectivePatterns(pattern);
  for (const p of PROTECTED) {
    const q = patterns.find((e) => removalTouches(e.pattern, p.path, p.tree === true));
    if (q) return { hit: p, ...(q.via !== undefined && { via: q.via }) };
  }
  return undefined;
}

/** What removing `pattern` would break, judged after the merged-/usr symlinks; undefined when apt and dpkg keep working. */
export function breaksPackageManager(pattern: string): Protected | undefined {
  return firstHit(pattern)?.hit;
}

/** OB206's message for a pattern, or undefined when the pattern is harmless. */
export function removalBreaks(pattern: string): string | undefined {
  const found = firstHit(pattern);
  if (!found) return undefined;
  const { hit, via } = found;
  const through = via !== undefined ? ` through the merged-/usr symlink ${via}` : '';
  return `Removing '${oneLine(pattern)}' deletes ${hit.path} (${hit.what})${through}: apt and dpkg break and no package can be installed in the image later. `
    + 'Remove apt lists and caches (/var/lib/apt/lists/*, /var/cache/apt/*) instead.';
}

const GLOB = /[*?[]/;

/** Why a `remove` entry cannot be run at all (not absolute, a line break, `..`, a wildcard at the top), or undefined. */
export function checkRemovePattern(p: string): string | undefined {
  if (!p.startsWith('/')) return 'is not an absolute path';
  if (/[\r\n\0]/.test(p)) return 'contains a line break or NUL: each entry is one path';
  const segs = p.split('/').filter((s) => s !== '' && s !== '.');
  if (segs.includes('..')) return "contains '..'";
  if (segs.length === 0) return 'would remove the whole image';
  if (GLOB.test(segs[0]!)) return 'has a wildcard in its first folder and could match /usr or /etc';
  return undefined;
}
