/**
 * The one diagnostic model of ownbase. Every face (VS Code, CLI text, JSON, SARIF) renders these.
 * Positions are 0-based (line, character in UTF-16 code units) like LSP; faces convert at their edge.
 */

export interface Position { readonly line: number; readonly character: number }
export interface Range { readonly start: Position; readonly end: Position }

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];
/** Lower is more severe. */
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export interface TextEdit { readonly range: Range; readonly newText: string }

/** A change to one file; `create` writes a new file with `newText` (edits ignored). */
export interface FileChange {
  /** Absolute path, or undefined for "the document the diagnostic is on". */
  readonly path?: string;
  readonly edits?: readonly TextEdit[];
  readonly create?: { readonly newText: string; readonly overwrite?: boolean };
}

export interface Fix {
  readonly title: string;
  readonly kind: 'quickfix' | 'refactor';
  readonly changes: readonly FileChange[];
  readonly isPreferred?: boolean;
  /** Safe fixes are applied by `source.fixAll.ownbase`. */
  readonly safe?: boolean;
}

export interface RelatedInformation { readonly range: Range; readonly message: string; readonly path?: string }

export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range;
  readonly related?: readonly RelatedInformation[];
  readonly fixes?: readonly Fix[];
  /**
   * Set only when the caller asked for suppressed diagnostics (`keepSuppressed`): an `# ownbase-ignore` waived it,
   * with the reason written after the colon, if any. Faces that show problems skip these.
   */
  readonly suppressed?: { readonly reason?: string };
}

/** What a rule is, for SARIF rule metadata, settings and the README's rule reference. */
export interface RuleDoc {
  readonly code: string;
  readonly name: string;
  readonly defaultSeverity: Severity;
  readonly description: string;
}

export const pos = (line: number, character: number): Position => ({ line, character });
export const range = (sl: number, sc: number, el: number, ec: number): Range => ({ start: pos(sl, sc), end: pos(el, ec) });
