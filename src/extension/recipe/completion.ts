import * as vscode from 'vscode';
import { completeRecipe } from '../../core/recipe/completion';
import { toRange } from '../convert';
import { RECIPE_LANGUAGE } from '../diagnostics/linter';

/** Completion of recipe keys and of distro, suite, arch, variant and builder values. */
export function registerRecipeCompletion(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.languages.registerCompletionItemProvider({ language: RECIPE_LANGUAGE }, {
    provideCompletionItems(document, position) {
      return completeRecipe(document.getText(), { line: position.line, character: position.character }).map((c) => {
        const item = new vscode.CompletionItem(c.label, c.kind === 'key' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.Value);
        if (c.detail) item.detail = c.detail;
        item.insertText = c.insertText ?? c.label;
        if (c.range) item.range = toRange(c.range);
        return item;
      });
    },
  }, ':', ' '));
}
