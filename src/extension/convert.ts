import * as vscode from 'vscode';
import type { Diagnostic, Fix, Range, Severity } from '../core/kernel/diagnostic';

export const toRange = (r: Range): vscode.Range => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export const DIAGNOSTIC_SOURCE = 'ownbase';

export function toDiagnostic(d: Diagnostic, uri: vscode.Uri): vscode.Diagnostic {
  const out = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
  out.source = DIAGNOSTIC_SOURCE;
  out.code = d.code;
  if (d.related?.length) {
    out.relatedInformation = d.related.map((r) =>
      new vscode.DiagnosticRelatedInformation(new vscode.Location(r.path ? vscode.Uri.file(r.path) : uri, toRange(r.range)), r.message));
  }
  return out;
}

/** A core fix as a WorkspaceEdit; refactors ask for confirmation (the refactor preview) unless `preview` is off. */
export function toWorkspaceEdit(fix: Fix, document: vscode.Uri, preview: boolean): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  const metadata: vscode.WorkspaceEditEntryMetadata | undefined = fix.kind === 'refactor' && preview
    ? { needsConfirmation: true, label: fix.title }
    : undefined;
  for (const change of fix.changes) {
    const uri = change.path ? vscode.Uri.file(change.path) : document;
    if (change.create) {
      // Create empty, then insert: `contents` does not survive the trip to a remote or web workbench.
      edit.createFile(uri, { overwrite: change.create.overwrite ?? false }, metadata);
      edit.insert(uri, new vscode.Position(0, 0), change.create.newText, metadata);
    }
    for (const e of change.edits ?? []) edit.replace(uri, toRange(e.range), e.newText, metadata);
  }
  return edit;
}
