import * as vscode from 'vscode';
import { engineLoader } from '../commands/engineModule';
import { featuresLoader } from '../featuresModule';
import type { Services } from '../services';
import { inspectLoader } from './module';
import type { RenderedState, SortKey } from '../../../webview/messages';
import type { InspectorDeps, InspectorPanel } from './panel';

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
  const features = featuresLoader(context.extensionPath);
  let panels: InspectorPanel[] = [];
  const newest = (): InspectorPanel | undefined => (panels = panels.filter((p) => !p.disposed)).at(-1);
  context.subscriptions.push(vscode.commands.registerCommand(INSPECT_COMMAND, async (arg?: unknown) => {
    const panel = await features().openInspector(deps, arg);
    if (!panel) return;
    panels.push(panel);
    context.subscriptions.push(panel);
  }),
  vscode.commands.registerCommand(DESCRIBE_INSPECTOR_COMMAND, (): RenderedState | undefined => newest()?.rendered),
  vscode.commands.registerCommand(SORT_INSPECTOR_COMMAND, async (key: SortKey): Promise<boolean> => (await newest()?.sortBy(key)) ?? false),
  vscode.commands.registerCommand(COMPARE_INSPECTOR_COMMAND, async (ref: unknown): Promise<boolean> =>
    (typeof ref === 'string' && ref !== '' ? (await newest()?.compareWith({ source: { kind: 'image', ref }, label: ref })) : undefined) ?? false));
}
