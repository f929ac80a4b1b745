import type { Range } from '../kernel/diagnostic';
import { parseRecipe, rangeFor } from '../recipe/parse';
import { checksOf, type Check } from './model';

/** Where each check is in the recipe's text (its field's key; a default builtin: `verify:` or the first line). */
export function checkRanges(recipeText: string, checks: readonly Check[]): Map<string, Range> {
  const parsed = parseRecipe(recipeText);
  return new Map(checks.map((c) => [c.id, rangeFor(parsed, c.path, 'key')]));
}

/** What an editor lists for a recipe: each check with its title and range, or why the recipe has none to run. */
export function recipeCheckItems(recipeText: string): { items: { id: string; title: string; range: Range }[]; error?: string } {
  const parsed = parseRecipe(recipeText);
  if (!parsed.recipe) {
    return { items: [], error: parsed.diagnostics[0]?.message ?? parsed.issues[0]?.message ?? 'the recipe is not valid' };
  }
  const checks = checksOf(parsed.recipe);
  return { items: checks.map((c) => ({ id: c.id, title: c.title, range: rangeFor(parsed, c.path, 'key') })) };
}
