import { parse } from 'yaml';
import type { OwnedImage } from '../dockerfile/rule';

/** The image a recipe builds, read leniently (a recipe with errors still names its image). */
export function ownedImageOf(recipeText: string, recipePath: string): OwnedImage | undefined {
  let doc: unknown;
  try { doc = parse(recipeText, { prettyErrors: false, strict: false, uniqueKeys: false }); } catch { return undefined; }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { image, distro, suite } = doc as Record<string, unknown>;
  if (typeof image !== 'string' || image === '') return undefined;
  return { image, distro: typeof distro === 'string' ? distro : '', suite: typeof suite === 'string' ? String(suite) : '', recipePath };
}
