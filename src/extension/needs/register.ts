import * as vscode from 'vscode';
import { featuresLoader } from '../featuresModule';
import type { Services } from '../services';
import { RunRegistry } from '../terminal/runs';

export const NEEDS_COMMAND = 'ownbase.whatDoesThisBinaryNeed';

/**
 * "What Does This Binary Need?": runs `ownbase needs FILE --format json` (the CLI answers; this face
 * only shows), opens the answer as a markdown document and offers a runtime recipe (`ownbase needs FILE
 * --recipe OUT`, opened, then buildable like any recipe) and the minimal image built in the terminal
 * (`ownbase needs FILE --image NAME --smoke`).
 */
export function registerNeeds(context: vscode.ExtensionContext, services: Services): void {
  const runs = new RunRegistry();
  const cliPath = context.asAbsolutePath('dist/cli.js');
  const features = featuresLoader(context.extensionPath);
  context.subscriptions.push(runs, vscode.commands.registerCommand(NEEDS_COMMAND, (uri?: unknown) => features().needsCommand(services, cliPath, runs, uri)));
}
