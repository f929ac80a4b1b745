import { clip, listSome } from '../../kernel/text';
import type { Rule } from '../rule';

export const unresolvedArgInFrom: Rule = {
  code: 'OB105',
  name: 'unresolved-arg-in-from',
  defaultSeverity: 'information',
  description:
    'A FROM that uses a build argument with no default value: the base image is only known when someone passes ' +
    '--build-arg, so it cannot be checked, pinned or owned. Give the ARG a default before the first FROM.',
  check(ctx) {
    return ctx.model.stages.filter((s) => s.from.unresolvedArgs.length > 0).map((s) => {
      const names = [...new Set(s.from.unresolvedArgs)];
      const declared = names.filter((n) => ctx.model.globalArgs.has(n));
      return {
        code: 'OB105',
        severity: 'information' as const,
        range: s.from.rawRange,
        message: `FROM uses ${listSome(names.map((n) => `$${clip(n, 40)}`), 5)} with no default` +
          `${declared.length < names.length ? ' (not declared by an ARG before the first FROM)' : ''}: ` +
          'the base image is only known at build time, so it cannot be checked. Give the ARG a default.',
      };
    });
  },
};
