import type { Diagnostic } from '../kernel/diagnostic';
import type { HostProbe } from './host';
import { clampedRange, parseRecipe, type ParsedRecipe } from './parse';
import { RECIPE_RULES } from './rules';
import type { Recipe } from './types';

export interface RecipeLintOptions {
  /** The machine the recipe would be built on (OB203); omitted, no host checks. */
  readonly host?: HostProbe;
}

/** Runs every recipe rule on a parsed recipe. A rule that fails reports itself instead of throwing. */
export function lintParsedRecipe(parsed: ParsedRecipe, options: RecipeLintOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [...parsed.diagnostics];
  const ctx = { parsed, ...(options.host && { host: options.host }) };
  for (const rule of RECIPE_RULES) {
    try {
      out.push(...rule.check(ctx));
    } catch (err) {
      out.push({ code: rule.code, severity: 'error', range: clampedRange(parsed.lines, 0, 0),
        message: `Internal error in ownbase rule ${rule.code} (${rule.name}): ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  return out;
}

/** Diagnostics of a recipe's text (OB200–OB207). Never throws. */
export function lintRecipe(text: string, options: RecipeLintOptions = {}): Diagnostic[] {
  return lintParsedRecipe(parseRecipe(text), options);
}

/** The recipe of a text, only when it has no error (host checks are not run); its diagnostics either way. */
export function loadRecipe(text: string, options: RecipeLintOptions = {}): { recipe?: Recipe; diagnostics: Diagnostic[] } {
  const parsed = parseRecipe(text);
  const diagnostics = lintParsedRecipe(parsed, options);
  const ok = parsed.recipe !== undefined && !diagnostics.some((d) => d.severity === 'error');
  return { ...(ok && { recipe: parsed.recipe }), diagnostics };
}
