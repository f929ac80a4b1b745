import type { Range } from '../kernel/diagnostic';
import { parseRecipe, rangeFor } from '../recipe/parse';
import type { Check } from './model';

/** Where each check is in the recipe's text (its field's key; a default builtin: `verify:` or the first line). */
export function checkRanges(recipeText: string, checks: readonly Check[]): Map<string, Range> {
  const parsed = parseRecipe(recipeText);
  return new Map(checks.map((c) => [c.id, rangeFor(parsed, c.path, 'key')]));
}
