import type { Diagnostic, Fix, Range } from '../kernel/diagnostic';
import type { FileKind } from '../kernel/fileKind';
import { ignoreFix } from '../kernel/policy';
import { LineIndex } from '../kernel/text';
import { dockerfileFixes } from '../dockerfile/fixes';
import { lintWith, type LintOptions } from './lintWith';
import { lintRecipe } from '../recipe';

export type { LintOptions } from './lintWith';

/** Lints one file's text by its kind. Never throws: bad input gives diagnostics. */
export function lintText(kind: FileKind, text: string, options: LintOptions = {}): Diagnostic[] {
  return lintWith(lintRecipe, kind, text, options);
}

const rangeKey = (code: string, r: Range): string => `${code} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

/**
 * The fixes of diagnostics that `lintText(kind, text, { fixes: false, … })` reported, one list per diagnostic,
 * computed when an editor asks for them rather than on every lint: each rule's own fixes, then "Ignore OBxxx for
 * this line". `safeOnly`: only the safe fixes, for `source.fixAll` (the costly refactors are not computed).
 */
export function fixesOf(
  kind: FileKind, text: string, diagnostics: readonly Diagnostic[], options: LintOptions = {}, safeOnly = false,
): Fix[][] {
  let own: Fix[][];
  if (kind === 'dockerfile') own = dockerfileFixes(text, diagnostics, options, safeOnly);
  else if (kind === 'recipe') {
    const byRange = new Map(lintRecipe(text, options.host ? { host: options.host } : {}).map((d) => [rangeKey(d.code, d.range), d.fixes ?? []]));
    own = diagnostics.map((d) => (byRange.get(rangeKey(d.code, d.range)) ?? []).filter((f) => !safeOnly || f.safe));
  } else own = diagnostics.map(() => []);
  if (safeOnly) return own;
  const lines = new LineIndex(text);
  return own.map((fixes, i) => [...fixes, ignoreFix(lines, diagnostics[i]!)]);
}
