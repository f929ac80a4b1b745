import type { Diagnostic } from '../../kernel/diagnostic';
import { removalTouches } from '../glob';
import { removeEntryFix, stringItems, type RecipeRule } from './rule';

interface Protected {
  readonly path: string;
  readonly what: string;
  /** Everything below the path matters too. */
  readonly tree?: boolean;
}

/** What apt and dpkg need to keep working; the first one a pattern touches is reported. */
const PROTECTED: readonly Protected[] = [
  { path: '/var/lib/dpkg', what: "dpkg's database of installed packages", tree: true },
  { path: '/usr/bin/dpkg*', what: 'dpkg' },
  { path: '/usr/bin/apt*', what: 'apt' },
  { path: '/usr/lib/apt', what: "apt's download methods", tree: true },
  { path: '/usr/lib/*/libapt-pkg.so*', what: "apt's library" },
  { path: '/etc/apt/sources.list*', what: "apt's package sources" },
  { path: '/etc/apt', what: "apt's configuration and sources" },
  { path: '/etc/dpkg', what: "dpkg's configuration" },
  { path: '/bin', what: 'the commands package scripts run' },
  { path: '/sbin', what: 'the system commands package scripts run' },
  { path: '/lib', what: 'the C library and the dynamic loader' },
  { path: '/lib64', what: 'the dynamic loader' },
  { path: '/etc', what: 'the system configuration' },
];

/** What removing `pattern` would break, or undefined when it leaves apt and dpkg working. */
export function breaksPackageManager(pattern: string): Protected | undefined {
  return PROTECTED.find((p) => removalTouches(pattern, p.path, p.tree === true));
}

export const breaksPackageManagerRule: RecipeRule = {
  code: 'OB206',
  name: 'remove-breaks-package-manager',
  defaultSeverity: 'error',
  description: 'A remove entry must not delete what apt and dpkg need (/var/lib/dpkg, /usr/bin/dpkg*, /usr/bin/apt*, '
    + '/etc/apt, /bin, /lib, /usr, /etc, /): the image could never install or remove a package again. apt lists and caches '
    + '(/var/lib/apt/lists/*, /var/cache/apt/*) are fine.',
  check({ parsed }): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const item of stringItems(parsed, 'remove')) {
      if (!item.value.startsWith('/')) continue;
      const hit = breaksPackageManager(item.value);
      if (!hit) continue;
      const fixes = removeEntryFix(parsed, item, 'remove', false);
      out.push({ code: 'OB206', severity: 'error', range: item.range,
        message: `Removing '${item.value}' deletes ${hit.path} (${hit.what}): apt and dpkg break and no package can be installed in the image later. `
          + 'Remove apt lists and caches (/var/lib/apt/lists/*, /var/cache/apt/*) instead.',
        ...(fixes.length > 0 && { fixes }) });
    }
    return out;
  },
};
