import type * as vscode from 'vscode';
import type { DocumentLinter } from './diagnostics/linter';
import type { Logger } from './logger';
import type { RecipeIndex } from './recipeIndex';
import type { BuildTracker } from './terminal/buildTracker';
import type { RecipeUpdates } from './tree/recipeUpdates';

/** Built once in activate() and handed to every feature; no feature keeps global state. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: Logger;
  readonly recipes: RecipeIndex;
  readonly linter: DocumentLinter;
  /** Each recipe's build state (building, succeeded, failed, cancelled), fed by the build events. */
  readonly builds: BuildTracker;
  /** Each locked recipe's last "Check for Updates", cached per lock content; read by the tree and the lens. */
  readonly updates: RecipeUpdates;
}
