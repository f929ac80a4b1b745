import type { Diagnostic } from '../kernel/diagnostic';
import { lintDockerfile, type DockerfileLintOptions } from '../dockerfile/lint';
import type { FileKind } from '../kernel/fileKind';
import { applyPolicy, byPosition, ignoreReasonDiagnostics, ruleIsOn } from '../kernel/policy';
import type { HostProbe } from '../recipe/host';
import { lintShellScript } from '../shell/lint';
import { LineIndex, type DecodedText } from '../kernel/text';
import { ENCODING_CODE, encodingDiagnostic } from './encoding';

export interface LintOptions extends DockerfileLintOptions {
  /** The machine a recipe would be built on (OB203); omitted, no host checks. */
  readonly host?: HostProbe;
  /** Where the file's bytes stopped being UTF-8 (from `decodeUtf8`); reported as OB001. */
  readonly invalidUtf8?: DecodedText['invalidUtf8'];
}

/** The recipe linter, passed in so that a caller with no recipe to lint never loads the YAML parser. */
export type RecipeLinter = (text: string, options: { host?: HostProbe }) => Diagnostic[];

/** Lints one file's text by its kind. Never throws: bad input gives diagnostics. */
export function lintWith(recipe: RecipeLinter | undefined, kind: FileKind, text: string, options: LintOptions = {}): Diagnostic[] {
  const found = lintByKind(recipe, kind, text, options);
  const lines = new LineIndex(text);
  const reasons = ignoreReasonDiagnostics(lines, options);
  if (!options.invalidUtf8 || !ruleIsOn(options, ENCODING_CODE)) return reasons.length ? [...found, ...reasons].sort(byPosition) : found;
  return [...applyPolicy([encodingDiagnostic(lines, options.invalidUtf8)], lines, options), ...found, ...reasons].sort(byPosition);
}

function lintByKind(recipe: RecipeLinter | undefined, kind: FileKind, text: string, options: LintOptions): Diagnostic[] {
  switch (kind) {
    case 'dockerfile': return lintDockerfile(text, options);
    case 'shell': return lintShellScript(text, options);
    case 'recipe':
      if (!recipe) throw new Error('lintWith: a recipe needs the recipe linter');
      return applyPolicy(recipe(text, options.host ? { host: options.host } : {}), new LineIndex(text), options);
  }
}
