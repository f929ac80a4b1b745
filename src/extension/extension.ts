import * as vscode from 'vscode';
import { registerCodeActions } from './codeActions/register';
import { registerDockerfileCodeLens } from './codelens/dockerfileLenses';
import { registerRecipeCodeLens } from './codelens/recipeLenses';
import { registerCommands } from './commands/register';
import { DocumentLinter } from './diagnostics/linter';
import { registerDiagnostics } from './diagnostics/register';
import { registerInspector } from './inspector/register';
import { createLogger } from './logger';
import { registerNeeds } from './needs/register';
import { registerRecipeCompletion } from './recipe/completion';
import { registerRecipeHover } from './recipe/hover';
import { RecipeIndex } from './recipeIndex';
import type { Services } from './services';
import { startSoon } from './startSoon';
import { registerBuildStatus } from './terminal/buildStatus';
import { BuildTracker } from './terminal/buildTracker';
import { registerTesting } from './testing/register';
import { RecipeUpdates } from './tree/recipeUpdates';
import { registerOwnedBasesView } from './tree/register';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = createLogger();
  context.subscriptions.push(log.channel);
  try {
    const recipes = new RecipeIndex();
    const linter = new DocumentLinter(recipes, log);
    const builds = new BuildTracker();
    const updates = new RecipeUpdates(log);
    context.subscriptions.push(recipes, linter, builds, updates);
    const services: Services = { context, log, recipes, linter, builds, updates };
    registerDiagnostics(context, services);
    registerCodeActions(context, services);
    registerRecipeCompletion(context);
    registerCommands(context, services);
    registerRecipeCodeLens(context, services.updates);
    registerRecipeHover(context);
    registerInspector(context, services);
    const view = registerOwnedBasesView(context, services);
    registerDockerfileCodeLens(context, view.store);
    const status = registerBuildStatus(context, services, view.engine);
    registerNeeds(context, services);
    const testing = registerTesting(context, services);
    startSoon(context, log, [recipes.start, view.start, status, testing]);
    log.info(`activated in ${(performance.now() - started).toFixed(1)} ms (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted: builds disabled'})`);
  } catch (err) {
    log.error('activation failed', err);
    void vscode.window.showErrorMessage(`ownbase failed to start: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}

export function deactivate(): void {}
