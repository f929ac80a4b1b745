import * as vscode from 'vscode';
import { RECIPE_LANGUAGE } from '../diagnostics/linter';
import { COMMANDS } from '../commands/register';

/** "▶ Build", "Export as Script", "Enter Chroot" above a recipe; none in Restricted Mode, where they would be refused. */
class RecipeLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  refresh(): void { this.changed.fire(); }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted || document.uri.scheme !== 'file') return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const lens = (title: string, command: string, tooltip: string): vscode.CodeLens =>
      new vscode.CodeLens(top, { title, command, tooltip, arguments: [document.uri] });
    return [
      lens('▶ Build', COMMANDS.build, 'Build this recipe in the integrated terminal: bootstrap, chroot, slim, import'),
      lens('Export as Script', COMMANDS.exportScript, 'The same steps as a POSIX sh script'),
      lens('Enter Chroot', COMMANDS.enterChroot, 'An interactive shell inside a rootfs this recipe built (ownbase.build.keepRootfs)'),
    ];
  }

  dispose(): void { this.changed.dispose(); }
}

export function registerRecipeCodeLens(context: vscode.ExtensionContext): void {
  const lenses = new RecipeLenses();
  context.subscriptions.push(
    lenses,
    vscode.languages.registerCodeLensProvider({ language: RECIPE_LANGUAGE }, lenses),
    vscode.workspace.onDidGrantWorkspaceTrust(() => lenses.refresh()),
  );
}
