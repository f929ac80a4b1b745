import type { Diagnostic, Fix, Severity } from './diagnostic';
import type { LineIndex } from './text';

export type RuleSetting = Severity | 'off';

export interface PolicyOptions {
  /** `ownbase.rules.OB101` = off | hint | information | warning | error. */
  readonly rules?: Readonly<Record<string, RuleSetting>>;
  /** Compute fixes (default true); the CLI, which shows none, saves the work. */
  readonly fixes?: boolean;
}

/** Whether a rule runs: a rule switched off is never run, so it costs nothing. */
export const ruleIsOn = (options: PolicyOptions, code: string): boolean => options.rules?.[code] !== 'off';

const IGNORE = /#\s*ownbase-ignore\s+([A-Za-z0-9,\s]+)/;

/** Codes suppressed for `line` by a `# ownbase-ignore OB101[, OB104]` comment on the line above. */
export function suppressedCodes(lines: LineIndex, line: number): Set<string> {
  if (line <= 0) return new Set();
  const m = IGNORE.exec(lines.lineText(line - 1));
  return new Set(m ? m[1]!.split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase()) : []);
}

/** Adds the code to an `# ownbase-ignore` comment on the line above, or writes one (in the file's line ending). */
export function ignoreFix(lines: LineIndex, d: Diagnostic): Fix {
  const line = d.range.start.line;
  const above = line > 0 ? lines.lineText(line - 1) : '';
  const title = `Ignore ${d.code} for this line`;
  if (IGNORE.test(above)) {
    const at = above.trimEnd().length;
    return { title, kind: 'quickfix', changes: [{ edits: [{ range: { start: { line: line - 1, character: at }, end: { line: line - 1, character: at } }, newText: `, ${d.code}` }] }] };
  }
  const indent = /^[ \t]*/.exec(lines.lineText(line))![0];
  return {
    title,
    kind: 'quickfix',
    changes: [{ edits: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}# ownbase-ignore ${d.code}${lines.eol}` }] }],
  };
}

/** The order diagnostics are reported in: by position, then by code. */
export const byPosition = (a: Diagnostic, b: Diagnostic): number =>
  a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code);

/**
 * Applies the user's policy to raw rule output: drops suppressed and switched-off diagnostics, sets the
 * configured severity, and offers "Ignore OBxxx for this line" on each.
 */
export function applyPolicy(diagnostics: readonly Diagnostic[], lines: LineIndex, options: PolicyOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const setting = options.rules?.[d.code];
    if (setting === 'off') continue;
    if (suppressedCodes(lines, d.range.start.line).has(d.code)) continue;
    out.push(options.fixes === false
      ? { ...d, severity: setting ?? d.severity, fixes: [] }
      : { ...d, severity: setting ?? d.severity, fixes: [...(d.fixes ?? []), ignoreFix(lines, d)] });
  }
  return out.sort(byPosition);
}
