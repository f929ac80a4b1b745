import type { Diagnostic } from '../../kernel/diagnostic';
import { parsePackageSpec } from '../../kernel/packageName';
import { removeEntryFix, stringItems, type Located, type RecipeRule } from './rule';

export const duplicatePackageRule: RecipeRule = {
  code: 'OB207',
  name: 'duplicate-package',
  defaultSeverity: 'warning',
  description: 'A package listed twice (same name and architecture, whatever the version) is installed once; the '
    + 'second entry only hides which version was meant.',
  check({ parsed }): Diagnostic[] {
    const out: Diagnostic[] = [];
    const first = new Map<string, Located>();
    for (const item of stringItems(parsed, 'packages')) {
      const spec = parsePackageSpec(item.value);
      const key = `${spec.name}:${spec.arch ?? ''}`;
      const earlier = first.get(key);
      if (!earlier) { first.set(key, item); continue; }
      const fixes = removeEntryFix(parsed, item, 'packages', true);
      out.push({ code: 'OB207', severity: 'warning', range: item.range,
        message: `'${item.value}' is listed twice in packages (first on line ${earlier.range.start.line + 1}${earlier.value === item.value ? '' : ` as '${earlier.value}'`}).`,
        related: [{ range: earlier.range, message: `'${earlier.value}' first listed here` }],
        ...(fixes.length > 0 && { fixes }) });
    }
    return out;
  },
};
