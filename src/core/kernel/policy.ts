import type { Diagnostic, Fix, Severity } from './diagnostic';
import type { LineIndex } from './text';

export type RuleSetting = Severity | 'off';

export interface PolicyOptions {
  /** `ownbase.rules.OB101` = off | hint | information | warning | error. */
  readonly rules?: Readonly<Record<string, RuleSetting>>;
  /** Compute fixes (default true); the CLI, which shows none, saves the work. */
  readonly fixes?: boolean;
  /** Return suppressed diagnostics too, marked `suppressed` with their reason (SARIF and JSON show what was waived). */
  readonly keepSuppressed?: boolean;
  /** An `# ownbase-ignore` without a reason after a colon is reported as OB002 (`ownbase.requireIgnoreReason`). */
  readonly requireIgnoreReason?: boolean;
}

/** Whether a rule runs: a rule switched off is never run, so it costs nothing. */
export const ruleIsOn = (options: PolicyOptions, code: string): boolean => options.rules?.[code] !== 'off';

/** `# ownbase-ignore OB101, OB104: reason…`: the codes, then an optional reason after a colon. */
const IGNORE = /#\s*ownbase-ignore\s+([A-Za-z0-9,\s]+)(?::(.*))?/;

export const IGNORE_REASON_CODE = 'OB002';
export const IGNORE_REASON_DESCRIPTION =
  'An `# ownbase-ignore` comment without a reason after a colon (`# ownbase-ignore OB101: why`). Reported only ' +
  'when reasons are required (`ownbase.requireIgnoreReason`, `ownbase lint --require-reason`): a waiver says why, ' +
  'and the reason travels into SARIF and JSON output.';

/** One `# ownbase-ignore` comment: where it is, the codes it names, its reason (undefined when none is written). */
export interface IgnoreComment {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly codes: readonly string[];
  /** Column just after the last code, where another code is added. */
  readonly codesEnd: number;
  readonly reason?: string;
}

/** The `# ownbase-ignore` comment on one line, if any. */
export function ignoreComment(lines: LineIndex, line: number): IgnoreComment | undefined {
  if (line < 0 || line >= lines.lineCount) return undefined;
  const text = lines.lineText(line);
  const m = IGNORE.exec(text);
  if (!m) return undefined;
  const codesAt = m.index + m[0].indexOf(m[1]!, m[0].indexOf('ownbase-ignore') + 'ownbase-ignore'.length);
  const reason = m[2]?.trim();
  return {
    line,
    start: m.index,
    end: text.trimEnd().length,
    codes: m[1]!.split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase()),
    codesEnd: codesAt + m[1]!.trimEnd().length,
    ...(reason && { reason }),
  };
}

/** Codes suppressed for `line` by a `# ownbase-ignore OB101[, OB104]` comment on the line above. */
export function suppressedCodes(lines: LineIndex, line: number): Set<string> {
  return new Set(ignoreComment(lines, line - 1)?.codes ?? []);
}

/** OB002 on every `# ownbase-ignore` without a reason, when reasons are required and OB002 is on. */
export function ignoreReasonDiagnostics(lines: LineIndex, options: PolicyOptions): Diagnostic[] {
  if (!options.requireIgnoreReason || !ruleIsOn(options, IGNORE_REASON_CODE)) return [];
  const out: Diagnostic[] = [];
  for (let line = 0; line < lines.lineCount; line++) {
    const c = ignoreComment(lines, line);
    if (!c || c.reason !== undefined) continue;
    out.push({
      code: IGNORE_REASON_CODE,
      severity: options.rules?.[IGNORE_REASON_CODE] as Severity | undefined ?? 'warning',
      message: `'# ownbase-ignore ${c.codes.join(', ')}' gives no reason: write it after a colon, e.g. '# ownbase-ignore ${c.codes.join(', ')}: why this is accepted'.`,
      range: { start: { line, character: c.start }, end: { line, character: c.end } },
    });
  }
  return out;
}

/** Adds the code to an `# ownbase-ignore` comment on the line above, or writes one (in the file's line ending). */
export function ignoreFix(lines: LineIndex, d: Diagnostic): Fix {
  const line = d.range.start.line;
  const above = ignoreComment(lines, line - 1);
  const title = `Ignore ${d.code} for this line`;
  if (above) {
    const at = above.codesEnd;
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
 * Applies the user's policy to raw rule output: drops switched-off diagnostics, drops suppressed ones (or keeps them
 * marked, with `keepSuppressed`), sets the configured severity, and offers "Ignore OBxxx for this line" on each.
 */
export function applyPolicy(diagnostics: readonly Diagnostic[], lines: LineIndex, options: PolicyOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const setting = options.rules?.[d.code];
    if (setting === 'off') continue;
    const ignore = ignoreComment(lines, d.range.start.line - 1);
    if (ignore?.codes.includes(d.code)) {
      if (options.keepSuppressed) {
        out.push({ ...d, severity: setting ?? d.severity, fixes: [], suppressed: ignore.reason !== undefined ? { reason: ignore.reason } : {} });
      }
      continue;
    }
    out.push(options.fixes === false
      ? { ...d, severity: setting ?? d.severity, fixes: [] }
      : { ...d, severity: setting ?? d.severity, fixes: [...(d.fixes ?? []), ignoreFix(lines, d)] });
  }
  return out.sort(byPosition);
}
