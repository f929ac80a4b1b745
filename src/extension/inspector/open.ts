import * as vscode from 'vscode';
import type { InspectSource } from '../../core/inspect/sources';
import { InspectorPanel, type InspectorDeps } from './panel';

/** Opens an inspector on what `arg` names (an image reference or a Uri), else on what the user picks; undefined when they stop. */
export async function openInspector(deps: InspectorDeps, arg: unknown): Promise<InspectorPanel | undefined> {
  const picked = await pickSource(deps, arg);
  return picked && new InspectorPanel(deps, picked.source, picked.label, () => pickSource(deps, undefined));
}

async function pickSource(deps: InspectorDeps, arg: unknown): Promise<{ source: InspectSource; label: string } | undefined> {
  if (typeof arg === 'string' && arg !== '') return { source: { kind: 'image', ref: arg }, label: arg };
  if (arg instanceof vscode.Uri) {
    const st = await vscode.workspace.fs.stat(arg);
    return { source: st.type & vscode.FileType.Directory ? { kind: 'folder', path: arg.fsPath } : { kind: 'archive', path: arg.fsPath }, label: arg.fsPath };
  }
  const kind = await vscode.window.showQuickPick([
    { label: '$(package) Image in the engine', id: 'image' as const },
    { label: '$(folder) Folder (a root file system)', id: 'folder' as const },
    { label: '$(file-zip) Archive (docker save or OCI)', id: 'archive' as const },
  ], { title: 'Inspect what?' });
  if (!kind) return undefined;
  if (kind.id === 'image') {
    let tags: string[];
    const engine = deps.engine();
    const docker = engine.connectEngine(vscode.workspace.getConfiguration('ownbase.docker').get<string>('host') || undefined);
    try {
      tags = (await docker.listImages()).flatMap((i) => (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>')).sort();
    } catch (err) {
      const explained = engine.explainEngineError(docker, err);
      void vscode.window.showErrorMessage(`ownbase: ${explained instanceof Error ? explained.message : String(explained)}`);
      return undefined;
    }
    if (tags.length === 0) { void vscode.window.showInformationMessage('ownbase: the engine has no tagged images to inspect.'); return undefined; }
    const ref = await vscode.window.showQuickPick(tags, { title: 'Inspect which image?' });
    return ref ? { source: { kind: 'image', ref }, label: ref } : undefined;
  }
  const uris = await vscode.window.showOpenDialog({
    canSelectFiles: kind.id === 'archive', canSelectFolders: kind.id === 'folder', canSelectMany: false,
    title: kind.id === 'folder' ? 'Inspect which root file system?' : 'Inspect which image archive?',
    ...(kind.id === 'archive' ? { filters: { 'Image archives': ['tar', 'gz', 'tgz'] } } : {}),
  });
  const uri = uris?.[0];
  if (!uri) return undefined;
  return { source: kind.id === 'folder' ? { kind: 'folder', path: uri.fsPath } : { kind: 'archive', path: uri.fsPath }, label: uri.fsPath };
}
