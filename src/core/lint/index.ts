import type { Diagnostic } from '../kernel/diagnostic';
import type { FileKind } from '../kernel/fileKind';
import { lintWith, type LintOptions } from './lintWith';
import { lintRecipe } from '../recipe';

export type { LintOptions } from './lintWith';

/** Lints one file's text by its kind. Never throws: bad input gives diagnostics. */
export function lintText(kind: FileKind, text: string, options: LintOptions = {}): Diagnostic[] {
  return lintWith(lintRecipe, kind, text, options);
}
