import type * as vscode from 'vscode';
import type { DocumentLinter } from './diagnostics/linter';
import type { Logger } from './logger';
import type { RecipeIndex } from './recipeIndex';

/** Built once in activate() and handed to every feature; no feature keeps global state. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: Logger;
  readonly recipes: RecipeIndex;
  readonly linter: DocumentLinter;
}
