import { canonicalRepository, splitImageRef } from '../kernel/imageRef';
import type { LintContext, OwnedImage } from './rule';

function globToRegExp(glob: string): RegExp {
  const body = glob.split('**').map((part) =>
    part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*');
  return new RegExp(`^${body}$`);
}

/** The workspace recipe that builds this image's repository, if any. */
export function recipeFor(ref: string, owned: readonly OwnedImage[]): OwnedImage | undefined {
  const repo = canonicalRepository(splitImageRef(ref));
  return owned.find((o) => canonicalRepository(splitImageRef(o.image)) === repo);
}

/** Built by a workspace recipe, or matched by an `ownbase.ownedImages` pattern (with or without its tag). */
export function isOwned(ref: string, ctx: Pick<LintContext, 'ownedImages' | 'ownedPatterns'>): boolean {
  if (recipeFor(ref, ctx.ownedImages)) return true;
  const name = splitImageRef(ref);
  const untagged = `${name.registry ? `${name.registry}/` : ''}${name.path}`;
  return ctx.ownedPatterns.some((p) => { const re = globToRegExp(p); return re.test(ref) || re.test(untagged); });
}
