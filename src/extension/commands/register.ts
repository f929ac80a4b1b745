import * as vscode from 'vscode';
import type { Services } from '../services';
import { RunRegistry } from '../terminal/runs';
import { BUILD_COMMAND, type BuildOptions } from './build';
import type { CommandContext } from './context';
import { featuresLoader } from '../featuresModule';
import { engineLoader } from './engineModule';
import { KeptRootfs } from './keptRootfs';

export const COMMANDS = {
  build: BUILD_COMMAND,
  cancelBuild: 'ownbase.cancelBuild',
  enterChroot: 'ownbase.enterChroot',
  importFolder: 'ownbase.importFolder',
  exportContainer: 'ownbase.exportContainer',
  commitContainer: 'ownbase.commitContainer',
  exportScript: 'ownbase.exportScript',
} as const;

/** Build, Enter Chroot, Import Folder, Export Container, Commit Container, Export as Script, Cancel Build. */
export function registerCommands(context: vscode.ExtensionContext, services: Services): void {
  const runs = new RunRegistry();
  const ctx: CommandContext = {
    services, runs, kept: new KeptRootfs(context.workspaceState), cliPath: context.asAbsolutePath('dist/cli.js'),
    engine: engineLoader(context.extensionPath),
  };
  const register = (id: string, handler: (...args: never[]) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown);
  const f = featuresLoader(context.extensionPath);
  context.subscriptions.push(
    runs,
    register(COMMANDS.build, (uri?: unknown, options?: BuildOptions) => f().buildCommand(ctx, uri, options)),
    register(COMMANDS.cancelBuild, () => f().cancelBuildCommand(ctx)),
    register(COMMANDS.enterChroot, (arg?: unknown, rootfs?: string) => f().enterChrootCommand(ctx, arg, rootfs)),
    register(COMMANDS.importFolder, (folder?: unknown, tag?: string) => f().importFolderCommand(ctx, folder, tag)),
    register(COMMANDS.exportContainer, (container?: string, dest?: string) => f().exportContainerCommand(ctx, container, dest)),
    register(COMMANDS.commitContainer, (container?: string, tag?: string, changes?: string[]) => f().commitContainerCommand(ctx, container, tag, changes)),
    register(COMMANDS.exportScript, (uri?: unknown) => f().exportScriptCommand(ctx, uri)),
  );
}
