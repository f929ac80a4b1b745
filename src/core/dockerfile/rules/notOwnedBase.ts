import { clip } from '../../kernel/text';
import type { Rule } from '../rule';
import { isOwned } from '../owned';

export const notOwnedBase: Rule = {
  code: 'OB103',
  name: 'not-owned-base',
  defaultSeverity: 'information',
  description:
    'A FROM of an external image that no recipe in the workspace builds and that matches no ownbase.ownedImages ' +
    'pattern. Whoever publishes that image decides what is in your base: its packages, its vulnerabilities, its ' +
    'update cadence. Build the base from a recipe you keep in version control.',
  check(ctx) {
    return ctx.model.stages
      .filter((s) => s.from.kind === 'external' && !ctx.qemuStages.has(s.index) && !isOwned(s.from.resolved!, ctx))
      .map((s) => ({
        code: 'OB103',
        severity: 'information' as const,
        range: s.from.rawRange,
        message: `${clip(s.from.resolved!)} is not an owned base: no workspace recipe builds it and no ownbase.ownedImages ` +
          'pattern matches it. Its publisher decides its packages and vulnerabilities.',
      }));
  },
};
