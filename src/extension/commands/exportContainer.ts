import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExportResult } from '../../core/engine/export';
import type { CommandContext } from './context';
import { findContainer, pickContainer, reachableEngine } from './engine';
import { isAbort, refuseUntrusted, reportFailure, type Failure, type Refusal } from './outcome';

/**
 * `docker export` of a container into a folder to edit (and re-import with Import Folder). An empty
 * or new folder is used as is; a non-empty one gets a new subfolder named after the container.
 */
export async function exportContainerCommand(ctx: CommandContext, container?: string, dest?: string): Promise<ExportResult | Refusal | Failure | undefined> {
  const refused = refuseUntrusted('Export Container');
  if (refused) return refused;
  return reportFailure(ctx.services.log, 'export container', async () => {
    const engine = ctx.engine();
    const docker = await reachableEngine(engine);
    const chosen = container !== undefined ? await findContainer(engine, docker, container) : await pickContainer(engine, docker, 'Export which container\'s file system?');
    if (!chosen) return undefined;
    let dir = dest;
    if (dir === undefined) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Export Here',
        title: `Where to extract ${chosen.name} (a non-empty folder gets a new ${chosen.name} subfolder)`,
        ...(vscode.workspace.workspaceFolders?.[0] && { defaultUri: vscode.workspace.workspaceFolders[0].uri }),
      });
      const base = picked?.[0]?.fsPath;
      if (base === undefined) return undefined;
      dir = existsSync(base) && readdirSync(base).length > 0 ? join(base, chosen.name) : base;
    }
    const target = dir;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `ownbase: exporting ${chosen.name} to ${target}`, cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          return await engine.exportContainer(docker, chosen.id, target, abort.signal);
        } catch (err) {
          if (abort.signal.aborted || isAbort(err)) throw new Error(`Export of ${chosen.name} cancelled: ${target} was emptied again`);
          throw err;
        } finally {
          sub.dispose();
        }
      },
    );
    const skipped = result.skipped.length > 0 ? ` (${result.skipped.length} entries could not be recreated: ${result.skipped.slice(0, 3).map((s) => s.name).join(', ')}${result.skipped.length > 3 ? ', …' : ''})` : '';
    void vscode.window.showInformationMessage(`ownbase: exported ${chosen.name} to ${result.path}${skipped}`, 'Reveal in Explorer').then((c) => {
      if (c) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.path));
    });
    return result;
  });
}
