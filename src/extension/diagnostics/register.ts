import * as vscode from 'vscode';
import type { Services } from '../services';
import { documentKind, RECIPE_LANGUAGE } from './linter';

const DEBOUNCE_MS = 150;

/** Lints Dockerfiles, recipes and shell scripts as they open and change, and again when a recipe or a setting changes. */
export function registerDiagnostics(context: vscode.ExtensionContext, services: Services): void {
  const { linter, recipes, log } = services;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const lint = (doc: vscode.TextDocument) => {
    try { linter.lint(doc); } catch (err) { log.error(`linting ${doc.uri.fsPath} failed`, err); }
  };
  const lintSoon = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => { timers.delete(key); lint(doc); }, DEBOUNCE_MS));
  };
  const lintAll = () => vscode.workspace.textDocuments.forEach((d) => lint(d));
  // The documents already open are linted right after activate() returns, not inside it: VS Code waits for
  // activate() before it goes on with the window (and other extensions' activation), diagnostics can come a tick later.
  const first = setImmediate(lintAll);

  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((d) => lint(d)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.languageId === RECIPE_LANGUAGE) recipes.updateFromDocument(e.document);
      if (documentKind(e.document)) lintSoon(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument((d) => linter.forget(d.uri)),
    recipes.onDidChange(() => vscode.workspace.textDocuments.filter((d) => documentKind(d) === 'dockerfile').forEach((d) => lintSoon(d))),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('ownbase')) lintAll(); }),
    { dispose: () => { timers.forEach((t) => clearTimeout(t)); clearImmediate(first); } },
  );
}
