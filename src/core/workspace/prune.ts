import { LABEL_RECIPE_PATH } from '../engine/labels';
import type { ImageInput } from './model';

export interface PrunePlan {
  /** Oldest first within each recipe label. */
  readonly images: readonly ImageInput[];
  /** The sum of their sizes: what `docker rmi` frees when no other image shares their layers. */
  readonly bytes: number;
}

/**
 * Images ownbase built that a newer build of the same recipe replaced: grouped by their recipe-path label,
 * every image but the newest of each group. Images without the label are never candidates.
 */
export function prunePlan(images: readonly ImageInput[]): PrunePlan {
  const groups = new Map<string, ImageInput[]>();
  for (const img of images) {
    const label = img.labels[LABEL_RECIPE_PATH];
    if (label !== undefined) groups.set(label, [...(groups.get(label) ?? []), img]);
  }
  const out: ImageInput[] = [];
  for (const [, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const newestFirst = [...group].sort((a, b) => b.created - a.created || a.id.localeCompare(b.id));
    out.push(...newestFirst.slice(1).reverse());
  }
  return { images: out, bytes: out.reduce((n, i) => n + i.size, 0) };
}
