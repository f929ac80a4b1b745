import type * as Sarif from 'sarif';
import type { Diagnostic } from '../core/kernel/diagnostic';
import type { FileKind } from '../core/kernel/fileKind';
import type { RuleDoc } from '../core/lint/rules';

export interface FileResult {
  readonly path: string;
  readonly kind: FileKind;
  readonly text: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** Diagnostics an `# ownbase-ignore` waived are kept for SARIF and JSON; text and the exit code skip them. */
export const isShown = (d: Diagnostic): boolean => d.suppressed === undefined;

/** `path:line:col: warning OB101 message`, like a compiler; lines and columns 1-based. */
export function formatText(results: readonly FileResult[]): string {
  const lines = results.flatMap((r) => r.diagnostics.filter(isShown).map((d) =>
    `${r.path}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}`));
  const count = lines.length;
  return `${lines.join('\n')}${count ? '\n' : ''}${count} problem${count === 1 ? '' : 's'} in ${results.length} file${results.length === 1 ? '' : 's'}\n`;
}

const oneBased = (d: Diagnostic) => ({
  start: { line: d.range.start.line + 1, column: d.range.start.character + 1 },
  end: { line: d.range.end.line + 1, column: d.range.end.character + 1 },
});

export function formatJson(results: readonly FileResult[]): string {
  return `${JSON.stringify({
    version: 1,
    files: results.map((r) => ({
      path: r.path,
      kind: r.kind,
      diagnostics: r.diagnostics.map((d) => ({
        code: d.code, severity: d.severity, message: d.message, range: oneBased(d),
        ...(d.suppressed && { suppressed: d.suppressed.reason !== undefined ? { reason: d.suppressed.reason } : {} }),
      })),
    })),
  }, null, 2)}\n`;
}

const SARIF_LEVEL: Record<Diagnostic['severity'], Sarif.ReportingConfiguration.level> =
  { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/**
 * SARIF 2.1.0 as code-scanning uploads accept it: rules with help, results with physical locations; a waived
 * diagnostic is a result with an `inSource` suppression whose justification is the comment's reason. The rule table
 * is passed in: it loads the recipe rules, which a lint of Dockerfiles alone never needs.
 */
export const formatSarif = (RULES: readonly RuleDoc[]) => (results: readonly FileResult[]): string =>
  `${JSON.stringify(sarifLog(RULES, results), null, 2)}\n`;

/** The SARIF log itself, typed by `@types/sarif`. */
export function sarifLog(RULES: readonly RuleDoc[], results: readonly FileResult[]): Sarif.Log {
  const rules: Sarif.ReportingDescriptor[] = RULES.map((r) => ({
    id: r.code,
    name: r.name,
    shortDescription: { text: r.name },
    fullDescription: { text: r.description },
    help: { text: r.description },
    defaultConfiguration: { level: SARIF_LEVEL[r.defaultSeverity] },
  }));
  const index = new Map(RULES.map((r, i) => [r.code, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'ownbase', rules } },
      results: results.flatMap((r) => r.diagnostics.map((d): Sarif.Result => {
        const loc = oneBased(d);
        return {
          ruleId: d.code,
          ...(index.has(d.code) && { ruleIndex: index.get(d.code) }),
          level: SARIF_LEVEL[d.severity],
          message: { text: d.message },
          locations: [{
            physicalLocation: {
              artifactLocation: { uri: r.path.split('\\').join('/') },
              region: { startLine: loc.start.line, startColumn: loc.start.column, endLine: loc.end.line, endColumn: loc.end.column },
            },
          }],
          ...(d.suppressed && {
            suppressions: [{ kind: 'inSource', ...(d.suppressed.reason !== undefined && { justification: d.suppressed.reason }) }],
          }),
        };
      })),
    }],
  };
}
