import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Diagnostic } from '../../core/kernel/diagnostic';
import { kindByName, type FileKind } from '../../core/kernel/fileKind';
import { lintText } from '../../core/lint';
import { nodeHostProbe } from '../../core/recipe/host';
import { toDiagnostic, toRange } from '../convert';
import type { RecipeIndex } from '../recipeIndex';
import { lintSettings } from '../settings';

export const RECIPE_LANGUAGE = 'ownbase-recipe';

/** What ownbase lints a document as, by language id first and file name second. */
export function documentKind(document: vscode.TextDocument): FileKind | undefined {
  switch (document.languageId) {
    case 'dockerfile': return 'dockerfile';
    case RECIPE_LANGUAGE: return 'recipe';
    case 'shellscript': return 'shell';
  }
  return document.uri.scheme === 'file' || document.uri.scheme === 'untitled' ? kindByName(document.uri.path) : undefined;
}

/** Lints open documents into one DiagnosticCollection and keeps the core diagnostics for their fixes. */
export class DocumentLinter implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('ownbase');
  private readonly results = new Map<string, { version: number; diagnostics: Diagnostic[] }>();
  private readonly host = nodeHostProbe();

  constructor(private readonly recipes: RecipeIndex) {}

  lint(document: vscode.TextDocument): void {
    const kind = documentKind(document);
    if (!kind || document.isClosed) return;
    const version = document.version;
    const settings = lintSettings(document.uri);
    const ownedImages = this.recipes.owned();
    const diagnostics = lintText(kind, document.getText(), {
      rules: settings.rules,
      ownedPatterns: settings.ownedPatterns,
      ownedImages,
      host: this.host,
      ...(document.uri.scheme === 'file' && { path: document.uri.fsPath, fileExists: existsSync }),
    });
    this.results.set(document.uri.toString(), { version, diagnostics });
    this.collection.set(document.uri, diagnostics.map((d) => toDiagnostic(d, document.uri)));
  }

  forget(uri: vscode.Uri): void {
    this.results.delete(uri.toString());
    this.collection.delete(uri);
  }

  /** The core diagnostics behind the VS Code ones shown for this version of the document. */
  coreDiagnostics(document: vscode.TextDocument): readonly Diagnostic[] {
    const r = this.results.get(document.uri.toString());
    return r && r.version === document.version ? r.diagnostics : [];
  }

  /** Matches a VS Code diagnostic (from a code action context) to its core diagnostic. */
  find(document: vscode.TextDocument, d: vscode.Diagnostic): Diagnostic | undefined {
    const code = typeof d.code === 'object' ? d.code.value : d.code;
    return this.coreDiagnostics(document).find((c) => c.code === code && toRange(c.range).isEqual(d.range));
  }

  dispose(): void { this.collection.dispose(); }
}
