import { clip } from '../../kernel/text';
import type { Rule } from '../rule';

export const unpinnedBase: Rule = {
  code: 'OB104',
  name: 'unpinned-base',
  defaultSeverity: 'warning',
  description:
    'A FROM with no tag, or the tag latest, after build arguments are resolved: the base changes under you with ' +
    'every pull, so two builds of one commit differ. Pin a tag, or a digest (which pins exactly).',
  check(ctx) {
    return ctx.model.stages.flatMap((s) => {
      const image = s.from.image;
      if (s.from.kind !== 'external' || !image || image.digest !== undefined) return [];
      if (image.tag !== undefined && image.tag !== 'latest') return [];
      return [{
        code: 'OB104',
        severity: 'warning' as const,
        range: s.from.rawRange,
        message: image.tag === undefined
          ? `${clip(s.from.resolved!)} has no tag: it means latest, which changes with every pull. Pin a tag or a digest.`
          : `${clip(s.from.resolved!)} uses the tag latest, which changes with every pull. Pin a tag or a digest.`,
      }];
    });
  },
};
