import * as vscode from 'vscode';
import { hoverRecipe } from '../../core/recipe/hover';
import { toRange } from '../convert';
import { RECIPE_LANGUAGE } from '../diagnostics/linter';

/** What a recipe field means, from the recipe's JSON schema. */
export function registerRecipeHover(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.languages.registerHoverProvider({ language: RECIPE_LANGUAGE }, {
    provideHover(document, position) {
      const hover = hoverRecipe(document.getText(), { line: position.line, character: position.character });
      return hover && new vscode.Hover(new vscode.MarkdownString(hover.markdown), toRange(hover.range));
    },
  }));
}
