import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { ImportResult } from '../../core/engine/import';
import { debianArchOf } from '../../core/kernel/arch';
import type { CommandContext } from './context';
import { askImageName, imageNameProblem, reachableEngine } from './engine';
import { isAbort, refuseUntrusted, reportFailure, type Failure, type Refusal } from './outcome';

/** The architecture dpkg recorded for base-files, else this machine's: what the image config says. */
async function archOf(rootfs: string): Promise<string> {
  const status = await readFile(join(rootfs, 'var', 'lib', 'dpkg', 'status'), 'utf8').catch(() => '');
  const stanza = status.split(/\n\s*\n/).find((s) => /^Package: base-files$/m.test(s));
  const arch = stanza && /^Architecture: (\S+)$/m.exec(stanza)?.[1];
  return arch && arch !== 'all' ? arch : debianArchOf(process.arch);
}

/** A folder (an edited export, a kept rootfs) imported as a one-layer image, like `tar -C DIR -c . | docker import - NAME`. */
export async function importFolderCommand(ctx: CommandContext, folder?: unknown, tag?: string): Promise<ImportResult | Refusal | Failure | undefined> {
  const refused = refuseUntrusted('Import Folder');
  if (refused) return refused;
  return reportFailure(ctx.services.log, 'import folder', async () => {
    let dir = folder instanceof vscode.Uri ? folder.fsPath : typeof folder === 'string' ? folder : undefined;
    if (dir === undefined) {
      const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Import', title: 'The root file system to import as an image' });
      dir = picked?.[0]?.fsPath;
    }
    if (dir === undefined) return undefined;
    const name = tag ?? await askImageName(`Image name for ${dir}`, `owned/${basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-') || 'rootfs'}:latest`, imageNameProblem);
    if (name === undefined) return undefined;
    const problem = imageNameProblem(name);
    if (problem) throw new Error(problem);
    const engine = ctx.engine();
    const docker = await reachableEngine(engine);
    const arch = await archOf(dir);
    const rootfs = dir;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `ownbase: importing ${rootfs} as ${name}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          return await engine.importRootfs(docker, {
            rootfs, tag: name, arch, config: {}, labels: {}, signal: abort.signal,
            onProgress: (bytes) => progress.report({ message: `${(bytes / 1e6).toFixed(0)} MB read` }),
          });
        } catch (err) {
          if (abort.signal.aborted || isAbort(err)) throw new Error(`Import of ${rootfs} cancelled: nothing was tagged ${name}`);
          if ((err as NodeJS.ErrnoException).code === 'EACCES') {
            throw new Error(`${(err as Error).message}: files of a root file system are readable by root only; run VS Code as root, or: sudo ownbase build RECIPE --from-rootfs ${rootfs}`);
          }
          throw err;
        } finally {
          sub.dispose();
        }
      },
    );
    void vscode.window.showInformationMessage(`ownbase: imported ${result.tag} (${arch}): ${(result.size / 1e6).toFixed(1)} MB, ${(result.layerGzipSize / 1e6).toFixed(1)} MB gzip-6 layer`);
    return result;
  });
}
