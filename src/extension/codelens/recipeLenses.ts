import * as vscode from 'vscode';
import { RECIPE_LANGUAGE } from '../diagnostics/linter';
import { COMMANDS } from '../commands/register';
import { CHECK_UPDATES_COMMAND, type RecipeUpdates } from '../tree/recipeUpdates';

/**
 * "▶ Build", "Export as Script", "Enter Chroot" above a recipe, and for a locked one "Check for Updates" (or the last
 * check's count); none in Restricted Mode, where they would be refused.
 */
class RecipeLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly updates: RecipeUpdates) {}

  refresh(): void { this.changed.fire(); }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted || document.uri.scheme !== 'file') return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const lens = (title: string, command: string, tooltip: string): vscode.CodeLens =>
      new vscode.CodeLens(top, { title, command, tooltip, arguments: [document.uri] });
    const updates = this.updates.stateOf(document.uri.fsPath);
    return [
      lens('▶ Build', COMMANDS.build, 'Build this recipe in the integrated terminal: bootstrap, chroot, slim, import'),
      lens('Export as Script', COMMANDS.exportScript, 'The same steps as a POSIX sh script'),
      lens('Enter Chroot', COMMANDS.enterChroot, 'An interactive shell inside a rootfs this recipe built (ownbase.build.keepRootfs)'),
      ...(updates ? [lens(updates.words ?? 'Check for Updates', CHECK_UPDATES_COMMAND,
        'Compare the lock with the archive\'s current packages (security updates counted apart); click to check again')] : []),
    ];
  }

  dispose(): void { this.changed.dispose(); }
}

export function registerRecipeCodeLens(context: vscode.ExtensionContext, updates: RecipeUpdates): void {
  const lenses = new RecipeLenses(updates);
  context.subscriptions.push(
    lenses,
    vscode.languages.registerCodeLensProvider({ language: RECIPE_LANGUAGE }, lenses),
    vscode.workspace.onDidGrantWorkspaceTrust(() => lenses.refresh()),
    updates.onDidChange(() => lenses.refresh()),
  );
}
