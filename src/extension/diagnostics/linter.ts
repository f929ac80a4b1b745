import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Diagnostic, Fix } from '../../core/kernel/diagnostic';
import { kindByName, type FileKind } from '../../core/kernel/fileKind';
import { fixesOf, lintText, type LintOptions } from '../../core/lint';
import { unknownRuleCodes } from '../../core/lint/rules';
import { nodeHostProbe } from '../../core/build/hostProbe';
import type { HostProbe } from '../../core/recipe/host';
import { toDiagnostic, toRange } from '../convert';
import type { Logger } from '../logger';
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

interface Linted {
  readonly version: number;
  readonly kind: FileKind;
  readonly text: string;
  readonly options: LintOptions;
  readonly diagnostics: Diagnostic[];
}

/**
 * Lints open documents into one DiagnosticCollection and keeps the core diagnostics, without fixes: the fixes of a
 * diagnostic are computed when VS Code asks for its code actions.
 */
export class DocumentLinter implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('ownbase');
  private readonly results = new Map<string, Linted>();
  /** Made on the first lint: the probe is core code, which activation does not load (ARCHITECTURE.md). */
  private host: HostProbe | undefined;
  private readonly reportedUnknown = new Set<string>();

  constructor(private readonly recipes: RecipeIndex, private readonly log?: Pick<Logger, 'warn'>) {}

  lint(document: vscode.TextDocument): void {
    const kind = documentKind(document);
    if (!kind || document.isClosed) return;
    const version = document.version;
    const settings = lintSettings(document.uri);
    this.reportUnknownCodes(settings.rules);
    const options: LintOptions = {
      rules: settings.rules,
      ownedPatterns: settings.ownedPatterns,
      requireIgnoreReason: settings.requireIgnoreReason,
      ownedImages: this.recipes.owned(),
      host: this.host ??= nodeHostProbe(),
      ...(document.uri.scheme === 'file' && { path: document.uri.fsPath, fileExists: existsSync }),
    };
    const text = document.getText();
    const diagnostics = lintText(kind, text, { ...options, fixes: false });
    this.results.set(document.uri.toString(), { version, kind, text, options, diagnostics });
    this.collection.set(document.uri, diagnostics.map((d) => toDiagnostic(d, document.uri)));
  }

  /** An unknown code in `ownbase.rules` switches nothing: said once in the log, never thrown. */
  private reportUnknownCodes(rules: Readonly<Record<string, unknown>>): void {
    for (const code of unknownRuleCodes(rules)) {
      if (this.reportedUnknown.has(code)) continue;
      this.reportedUnknown.add(code);
      this.log?.warn(`ownbase.rules: '${code}' is not an ownbase rule code; it is ignored`);
    }
  }

  forget(uri: vscode.Uri): void {
    this.results.delete(uri.toString());
    this.collection.delete(uri);
  }

  private current(document: vscode.TextDocument): Linted | undefined {
    const r = this.results.get(document.uri.toString());
    return r && r.version === document.version ? r : undefined;
  }

  /** The core diagnostics behind the VS Code ones shown for this version of the document. */
  coreDiagnostics(document: vscode.TextDocument): readonly Diagnostic[] {
    return this.current(document)?.diagnostics ?? [];
  }

  /** Matches a VS Code diagnostic (from a code action context) to its core diagnostic. */
  find(document: vscode.TextDocument, d: vscode.Diagnostic): Diagnostic | undefined {
    const code = typeof d.code === 'object' ? d.code.value : d.code;
    return this.coreDiagnostics(document).find((c) => c.code === code && toRange(c.range).isEqual(d.range));
  }

  /** The fixes of these diagnostics of the document as last linted, computed now (one list per diagnostic). */
  fixes(document: vscode.TextDocument, diagnostics: readonly Diagnostic[], safeOnly = false): Fix[][] {
    const r = this.current(document);
    if (!r || diagnostics.length === 0) return diagnostics.map(() => []);
    return fixesOf(r.kind, r.text, diagnostics, r.options, safeOnly);
  }

  dispose(): void { this.collection.dispose(); }
}
