import * as vscode from 'vscode';
import type { FeaturesModule } from '../featuresModule';
import { TASK_TYPE, type OwnbaseTaskDefinition } from './tasks';
import type { WorkspaceFiles } from './workspaceFiles';

/** `ownbase` tasks: a build of each workspace recipe, and any `{ "type": "ownbase", "recipe": … }` from tasks.json. */
export function registerOwnbaseTasks(files: WorkspaceFiles, cliPath: string, features: () => FeaturesModule): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(TASK_TYPE, {
    async provideTasks() {
      if (!vscode.workspace.isTrusted) return [];
      await files.ready();
      return files.recipes.flatMap((r) => {
        const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(r.path));
        return folder ? [features().taskFor({ type: TASK_TYPE, recipe: r.relPath }, folder, cliPath)] : [];
      });
    },
    resolveTask(task) {
      const def = task.definition as OwnbaseTaskDefinition;
      const folder = task.scope !== undefined && typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
      if (typeof def.recipe !== 'string' || !folder) return undefined;
      return features().taskFor(def, folder, cliPath);
    },
  });
}
