import type { Diagnostic } from '../../kernel/diagnostic';
import { removalBreaks } from '../removal';
import { removeEntryFix, stringItems, type RecipeRule } from './rule';

export { breaksPackageManager } from '../removal';

export const breaksPackageManagerRule: RecipeRule = {
  code: 'OB206',
  name: 'remove-breaks-package-manager',
  defaultSeverity: 'error',
  description: 'A remove entry must not delete what apt and dpkg need (/var/lib/dpkg, dpkg, apt, /bin/sh, the C library and '
    + 'the dynamic loader, /etc/apt, /bin, /lib, /usr, /etc, /). It is judged after the merged-/usr symlinks: /bin/*, /sbin/*, '
    + '/lib/* and /lib/<triplet>/* delete /usr/bin, /usr/sbin and /usr/lib. The image could never install or remove a package '
    + 'again. apt lists and caches (/var/lib/apt/lists/*, /var/cache/apt/*) are fine.',
  check({ parsed }): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const item of stringItems(parsed, 'remove')) {
      if (!item.value.startsWith('/')) continue;
      const message = removalBreaks(item.value);
      if (message === undefined) continue;
      const fixes = removeEntryFix(parsed, item, 'remove', false);
      out.push({ code: 'OB206', severity: 'error', range: item.range, message, ...(fixes.length > 0 && { fixes }) });
    }
    return out;
  },
};
