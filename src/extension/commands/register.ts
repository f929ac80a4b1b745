import * as vscode from 'vscode';
import type { Services } from '../services';
import { RunRegistry } from '../terminal/runs';
import { BUILD_COMMAND, buildCommand, cancelBuildCommand, type BuildOptions } from './build';
import { commitContainerCommand } from './commitContainer';
import type { CommandContext } from './context';
import { engineLoader } from './engineModule';
import { enterChrootCommand } from './enterChroot';
import { exportContainerCommand } from './exportContainer';
import { exportScriptCommand } from './exportScript';
import { importFolderCommand } from './importFolder';
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
  context.subscriptions.push(
    runs,
    register(COMMANDS.build, (uri?: unknown, options?: BuildOptions) => buildCommand(ctx, uri, options)),
    register(COMMANDS.cancelBuild, () => cancelBuildCommand(ctx)),
    register(COMMANDS.enterChroot, (arg?: unknown, rootfs?: string) => enterChrootCommand(ctx, arg, rootfs)),
    register(COMMANDS.importFolder, (folder?: unknown, tag?: string) => importFolderCommand(ctx, folder, tag)),
    register(COMMANDS.exportContainer, (container?: string, dest?: string) => exportContainerCommand(ctx, container, dest)),
    register(COMMANDS.commitContainer, (container?: string, tag?: string, changes?: string[]) => commitContainerCommand(ctx, container, tag, changes)),
    register(COMMANDS.exportScript, (uri?: unknown) => exportScriptCommand(ctx, uri)),
  );
}
