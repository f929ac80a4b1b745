import type { BaseImageEntry, FromUse, RecipeEntry, WorkspaceModel } from './model';

const matches = (query: string, ...fields: (string | undefined)[]): boolean =>
  fields.some((f) => f !== undefined && f.toLowerCase().includes(query));

const useMatches = (q: string, u: FromUse): boolean => matches(q, u.relPath, u.image);

/**
 * The model narrowed to what mentions `query` (case-insensitive, every word must match somewhere): a recipe
 * or base image that matches keeps all its children; otherwise it keeps only the children that match, and
 * goes when none does. An empty query keeps everything.
 */
export function filterWorkspace(model: WorkspaceModel, query: string): WorkspaceModel {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return words.reduce((m, w) => ({
    ...m,
    recipes: m.recipes.flatMap((r) => narrowRecipe(r, w)),
    bases: m.bases.flatMap((b) => narrowBase(b, w)),
  }), model);
}

function narrowRecipe(r: RecipeEntry, q: string): RecipeEntry[] {
  if (matches(q, r.relPath, r.image, r.state)) return [r];
  const images = r.images.filter((i) => matches(q, i.shortId, i.arch, ...i.tags));
  const users = r.users.filter((u) => useMatches(q, u));
  return images.length + users.length > 0 ? [{ ...r, images, users }] : [];
}

function narrowBase(b: BaseImageEntry, q: string): BaseImageEntry[] {
  if (matches(q, b.image, b.owned ? 'owned' : 'not owned')) return [b];
  const uses = b.uses.filter((u) => useMatches(q, u));
  return uses.length > 0 ? [{ ...b, uses }] : [];
}
