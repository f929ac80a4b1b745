import type { Fix } from '../../kernel/diagnostic';
import { canonicalRepository, splitImageRef } from '../../kernel/imageRef';
import { DEFAULT_DEBIAN_SUITE } from '../../recipe/suites';
import type { Stage } from '../model';
import { recipeFor } from '../owned';
import type { LintContext } from '../rule';

/** The release that `latest` stands for today, for images whose tags are release names. */
const RELEASE_TAGS: Readonly<Record<string, string>> = {
  'docker.io/library/debian': DEFAULT_DEBIAN_SUITE,
};

/** "Pin tag": the tag the workspace recipe builds, else the current release for known distributions. */
export function pinTagFix(ctx: LintContext, stage: Stage): Fix | undefined {
  const from = stage.from;
  if (!ctx.fixes || from.kind !== 'external' || from.raw !== from.resolved) return undefined; // only literal references are rewritten
  const owned = recipeFor(from.resolved, ctx.ownedImages);
  const ownedTag = owned ? splitImageRef(owned.image).tag : undefined;
  const tag = ownedTag ?? RELEASE_TAGS[canonicalRepository(from.image!)];
  if (!tag || tag === 'latest') return undefined;
  const untagged = from.raw.replace(/:latest$/, '');
  const newText = `${untagged}:${tag}`;
  return {
    title: `Pin tag: ${newText}`,
    kind: 'quickfix',
    isPreferred: true,
    safe: true,
    changes: [{ edits: [{ range: from.rawRange, newText }] }],
  };
}
