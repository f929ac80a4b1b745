import type { Range } from '../kernel/diagnostic';
import { formatAge, formatBytes } from './format';
import type { FromUse, WorkspaceModel } from './model';

/** What the CodeLens above a Dockerfile `FROM` line says, from the Owned Bases model (never a copy of its data). */
export type FromLens =
  | {
    readonly kind: 'owned';
    readonly range: Range;
    readonly image: string;
    /** The title: `owned · 71.8 MB · packages as of 2 hours ago`, `owned · not built yet`, … */
    readonly title: string;
    readonly tooltip: string;
    /** The workspace recipe that builds it. */
    readonly recipePath?: string;
  }
  | { readonly kind: 'notOwned'; readonly range: Range; readonly image: string; readonly use: FromUse };

/**
 * One lens per `FROM` line of `uses` (the document's own, which may be unsaved) whose image the model knows
 * as a base image in use: owned (its size and age when the engine has it) or not owned. A line the model
 * does not know yet (typed, not saved) gets none until the model follows the saved file.
 */
export function fromLenses(uses: readonly FromUse[], model: WorkspaceModel, now: number): FromLens[] {
  const bases = new Map(model.bases.map((b) => [b.image, b]));
  return uses.flatMap((use): FromLens[] => {
    const base = bases.get(use.image);
    if (!base) return [];
    if (!base.owned) return [{ kind: 'notOwned', range: use.range, image: use.image, use }];
    const recipe = base.recipePath !== undefined ? model.recipes.find((r) => r.path === base.recipePath) : undefined;
    const why = recipe ? `built by the workspace recipe ${recipe.relPath}` : base.local ? 'built by ownbase' : 'matched by ownbase.ownedImages';
    const { local } = base;
    const title = local ? `owned · ${formatBytes(local.size)} · packages as of ${formatAge(local.created, now)}`
      : !model.engineReachable ? 'owned · engine not reachable'
      : recipe ? 'owned · not built yet' : 'owned · not in the engine';
    const tooltip = [
      `${use.image}: owned, ${why}`,
      local ? `Image ${local.id.replace(/^sha256:/, '').slice(0, 12)}, ${formatBytes(local.size)} (${local.size} bytes), created ${new Date(local.created).toISOString()}, the date of its packages' archive (builds are reproducible: an image carries that date, not the time it was built)`
        : model.engineReachable ? 'Not in the engine' : 'The engine could not be asked',
      recipe?.state === 'outdated' ? 'The recipe changed since this image was built: rebuild it' : undefined,
    ].filter((l): l is string => l !== undefined).join('\n');
    return [{ kind: 'owned', range: use.range, image: use.image, title, tooltip, ...(base.recipePath !== undefined && { recipePath: base.recipePath }) }];
  });
}
