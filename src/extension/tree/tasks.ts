import * as vscode from 'vscode';
import { settingsArgs } from '../commands/build';
import { buildSettings, engineEnvFor } from '../commands/buildSettings';
import { cliLaunch, currentRuntime, elevationFor } from '../terminal/cliLaunch';

export const TASK_TYPE = 'ownbase';
/** Matches the CLI's text diagnostics (`path:line:col: severity CODE message`); declared in package.json. */
export const PROBLEM_MATCHER = '$ownbase';

export interface OwnbaseTaskDefinition extends vscode.TaskDefinition {
  /** The recipe, relative to its workspace folder. */
  readonly recipe: string;
  /** `build` (default) or `script` (print the build as a shell script). */
  readonly action?: 'build' | 'script';
}

/** A task that runs the extension's own CLI (as `ownbase.build` does: same settings, same elevation) as an argv. */
export function taskFor(def: OwnbaseTaskDefinition, folder: vscode.WorkspaceFolder, cliPath: string): vscode.Task {
  const action = def.action ?? 'build';
  const settings = buildSettings(vscode.Uri.joinPath(folder.uri, def.recipe));
  const launch = cliLaunch({
    runtime: currentRuntime(), cliPath, args: [action, def.recipe, ...settingsArgs(settings)], env: process.env,
    ...(action === 'build' && { elevation: elevationFor(process.getuid?.() === 0, settings.elevation) }),
    engineEnv: engineEnvFor(folder.uri),
  });
  const exec = new vscode.ProcessExecution(launch.argv[0]!, launch.argv.slice(1), { cwd: folder.uri.fsPath, env: { ...launch.env } });
  const task = new vscode.Task(def, folder, `${action} ${def.recipe}`, TASK_TYPE, exec, [PROBLEM_MATCHER]);
  if (action === 'build') task.group = vscode.TaskGroup.Build;
  task.detail = launch.display;
  return task;
}
