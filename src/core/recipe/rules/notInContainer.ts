import type { Diagnostic } from '../../kernel/diagnostic';
import { notNeededClass } from '../notNeeded';
import { removeEntryFix, stringItems, type RecipeRule } from './rule';

export const notInContainerRule: RecipeRule = {
  code: 'OB204',
  name: 'not-needed-in-container',
  defaultSeverity: 'warning',
  description: 'A container runs your program as PID 1 on the host kernel: a kernel image or headers, an init system '
    + '(systemd, sysvinit), a bootloader (grub) or firmware only add size and vulnerabilities to the base.',
  check({ parsed }): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const item of stringItems(parsed, 'packages')) {
      const cls = notNeededClass(item.value);
      if (!cls) continue;
      const fixes = removeEntryFix(parsed, item, 'packages', true);
      out.push({ code: 'OB204', severity: 'warning', range: item.range,
        message: `'${item.value}' is not needed in a container (${cls.what}): the container runs your program as PID 1 on the host's kernel; no kernel/init needed.`,
        ...(fixes.length > 0 && { fixes }) });
    }
    return out;
  },
};
