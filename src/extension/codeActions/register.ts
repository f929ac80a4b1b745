import * as vscode from 'vscode';
import type { Fix } from '../../core/kernel/diagnostic';
import { toWorkspaceEdit } from '../convert';
import { RECIPE_LANGUAGE } from '../diagnostics/linter';
import type { Services } from '../services';
import { previewRefactors } from '../settings';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('ownbase');
/** Runs after a fix that creates files: saves them (an edit leaves them dirty) and shows the first. */
export const SAVE_CREATED_COMMAND = 'ownbase.saveCreatedFiles';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'dockerfile' }, { language: RECIPE_LANGUAGE }, { language: 'shellscript' },
  { pattern: '**/{Dockerfile,Dockerfile.*,*.Dockerfile,Containerfile}' },
];

/** Quick fixes and refactors of the core diagnostics, and `source.fixAll.ownbase` for the safe ones. */
class OwnbaseCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite, FIX_ALL_KIND];

  constructor(private readonly services: Services) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const { linter } = this.services;
    const preview = previewRefactors(document.uri);
    if (context.only && FIX_ALL_KIND.contains(context.only)) return this.fixAll(document);
    const actions: vscode.CodeAction[] = [];
    const matched = context.diagnostics.flatMap((vsDiag) => {
      const core = linter.find(document, vsDiag);
      return core ? [{ vsDiag, core }] : [];
    });
    // Fixes are computed now, for the diagnostics asked about only: linting never computes them.
    const fixes = linter.fixes(document, matched.map((m) => m.core));
    for (const [i, { vsDiag }] of matched.entries()) {
      for (const fix of fixes[i]!) {
        const kind = fix.kind === 'refactor' ? vscode.CodeActionKind.RefactorRewrite : vscode.CodeActionKind.QuickFix;
        if (context.only && !context.only.contains(kind)) continue;
        const action = new vscode.CodeAction(fix.title, kind);
        action.diagnostics = [vsDiag];
        action.isPreferred = fix.isPreferred ?? false;
        action.edit = toWorkspaceEdit(fix, document.uri, preview);
        const created = fix.changes.filter((c) => c.create && c.path).map((c) => vscode.Uri.file(c.path!));
        if (created.length > 0) action.command = { command: SAVE_CREATED_COMMAND, title: 'Save created files', arguments: [created] };
        actions.push(action);
      }
    }
    return actions;
  }

  private fixAll(document: vscode.TextDocument): vscode.CodeAction[] {
    const { linter } = this.services;
    const safe: Fix[] = linter.fixes(document, linter.coreDiagnostics(document), true).flat();
    if (safe.length === 0) return [];
    const edit = new vscode.WorkspaceEdit();
    const taken: vscode.Range[] = [];
    for (const fix of safe) {
      const part = toWorkspaceEdit(fix, document.uri, false);
      const edits = part.get(document.uri);
      if (edits.some((e) => taken.some((t) => t.intersection(e.range) !== undefined))) continue; // one fix per spot
      for (const e of edits) { edit.replace(document.uri, e.range, e.newText); taken.push(e.range); }
    }
    const action = new vscode.CodeAction('Fix all safe ownbase problems', FIX_ALL_KIND);
    action.edit = edit;
    return [action];
  }
}

async function saveCreated(uris: readonly vscode.Uri[]): Promise<void> {
  for (const uri of uris) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty) await doc.save();
  }
  if (uris[0]) await vscode.window.showTextDocument(uris[0], { preview: false, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
}

export function registerCodeActions(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(SAVE_CREATED_COMMAND, (uris: vscode.Uri[]) => saveCreated(uris ?? [])),vscode.languages.registerCodeActionsProvider(SELECTOR, new OwnbaseCodeActions(services), {
    providedCodeActionKinds: OwnbaseCodeActions.kinds,
  }));
}
