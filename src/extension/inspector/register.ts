import * as vscode from 'vscode';
import type { InspectSource } from '../../core/inspect/sources';
import { engineLoader } from '../commands/engineModule';
import type { Services } from '../services';
import { inspectLoader } from './module';
import type { RenderedState, SortKey } from '../../../webview/messages';
import { InspectorPanel, type InspectorDeps } from './panel';

export const INSPECT_COMMAND = 'ownbase.inspect';
/**
 * Internal, for the real-VS-Code tests (not in the palette): what the newest open inspector shows
 * (RenderedState, or undefined), sorting its table by a column as a click on the header does, and comparing.
 */
export const DESCRIBE_INSPECTOR_COMMAND = 'ownbase.inspector.describe';
export const SORT_INSPECTOR_COMMAND = 'ownbase.inspector.sortBy';
/** Internal, for the tests: the newest inspector compares with an image (before) as its Compare button would. */
export const COMPARE_INSPECTOR_COMMAND = 'ownbase.inspector.compareWith';

/**
 * `ownbase.inspect`: opens the inspector on an image from the engine, a folder or an archive, picked
 * in the palette, or on what the caller passes (an image reference string or a folder/file Uri).
 */
export function registerInspector(context: vscode.ExtensionContext, services: Services): void {
  const deps: InspectorDeps = {
    extensionUri: context.extensionUri, log: services.log,
    inspect: inspectLoader(context.extensionPath), engine: engineLoader(context.extensionPath),
  };
  let panels: InspectorPanel[] = [];
  const newest = (): InspectorPanel | undefined => (panels = panels.filter((p) => !p.disposed)).at(-1);
  context.subscriptions.push(vscode.commands.registerCommand(INSPECT_COMMAND, async (arg?: unknown) => {
    const picked = await pickSource(deps, arg);
    if (!picked) return;
    const panel = new InspectorPanel(deps, picked.source, picked.label, () => pickSource(deps, undefined));
    panels.push(panel);
    context.subscriptions.push(panel);
  }),
  vscode.commands.registerCommand(DESCRIBE_INSPECTOR_COMMAND, (): RenderedState | undefined => newest()?.rendered),
  vscode.commands.registerCommand(SORT_INSPECTOR_COMMAND, async (key: SortKey): Promise<boolean> => (await newest()?.sortBy(key)) ?? false),
  vscode.commands.registerCommand(COMPARE_INSPECTOR_COMMAND, async (ref: unknown): Promise<boolean> =>
    (typeof ref === 'string' && ref !== '' ? (await newest()?.compareWith({ source: { kind: 'image', ref }, label: ref })) : undefined) ?? false));
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
