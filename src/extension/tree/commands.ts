import type Dockerode from 'dockerode';
import * as vscode from 'vscode';
import { endpointEnv } from '../../core/engine/endpoint';
import { LABEL_RECIPE_PATH } from '../../core/engine/labels';
import { formatBytes } from '../../core/workspace/format';
import type { FromUse } from '../../core/workspace/model';
import { prunePlan } from '../../core/workspace/prune';
import type { EngineModule } from '../commands/engineModule';
import { refuseUntrusted } from '../commands/outcome';
import type { Services } from '../services';
import type { BaseNode, ImageNode, Node, RecipeNode, UseNode } from './nodes';
import { imageRef } from './nodes';
import type { OwnedBasesStore } from './store';

export const VIEW_COMMANDS = {
  refresh: 'ownbase.view.refresh',
  filter: 'ownbase.view.filter',
  clearFilter: 'ownbase.view.clearFilter',
  newRecipe: 'ownbase.view.newRecipe',
  retryEngine: 'ownbase.view.retryEngine',
  build: 'ownbase.view.build',
  rebuild: 'ownbase.view.rebuild',
  cancelBuild: 'ownbase.view.cancelBuild',
  enterChroot: 'ownbase.view.enterChroot',
  exportScript: 'ownbase.view.exportScript',
  openRecipe: 'ownbase.view.openRecipe',
  openUse: 'ownbase.view.openUse',
  runShell: 'ownbase.view.runShell',
  inspectImage: 'ownbase.view.inspectImage',
  copyImageName: 'ownbase.view.copyImageName',
  removeImage: 'ownbase.view.removeImage',
  prune: 'ownbase.view.pruneImages',
  replaceWithOwnedBase: 'ownbase.view.replaceWithOwnedBase',
  createOwnedBase: 'ownbase.view.createOwnedBase',
  /** Not in the palette: selects a base image (by name) in Base Images in Use, as a Dockerfile lens does. */
  revealBase: 'ownbase.view.revealBase',
} as const;

export interface ViewCommandContext {
  readonly services: Services;
  readonly store: OwnedBasesStore;
  readonly engine: () => EngineModule;
}

const isRecipe = (n: unknown): n is RecipeNode => (n as Node | undefined)?.kind === 'recipe';
const isImage = (n: unknown): n is ImageNode => (n as Node | undefined)?.kind === 'image';

/** Builds through the existing command; the build tracker follows it from the CLI's events. */
/** Build (up to date at once when an image of the same inputs exists) or, with `force`, Rebuild. */
export function buildFromView(node: unknown, force = false): Thenable<unknown> {
  const options = force ? { force: true } : undefined;
  return isRecipe(node) ? vscode.commands.executeCommand('ownbase.build', node.uri, options) : vscode.commands.executeCommand('ownbase.build', undefined, options);
}

export async function openUse(use: FromUse | UseNode | undefined): Promise<void> {
  const u = use && 'kind' in use ? use.use : use;
  if (!u) return;
  const { start, end } = u.range;
  await vscode.window.showTextDocument(vscode.Uri.file(u.path), {
    selection: new vscode.Range(start.line, start.character, end.line, end.character), preview: true,
  });
}

/** Opens the FROM line and shows the code actions there: the existing OB103 fixes and "Create owned base". */
export async function fixBase(node: BaseNode | UseNode | undefined, action: 'editor.action.quickFix' | 'editor.action.refactor'): Promise<void> {
  const use = node?.kind === 'use' ? node.use : node?.entry.uses[0];
  if (!use) return;
  await openUse(use);
  await vscode.commands.executeCommand(action);
}

export async function openRecipe(node: unknown): Promise<void> {
  const path = isRecipe(node) ? node.entry.path : (node as BaseNode | undefined)?.kind === 'base' ? (node as BaseNode).entry.recipePath : undefined;
  if (path !== undefined) await vscode.window.showTextDocument(vscode.Uri.file(path));
}

export function imageNameOf(node: unknown): string | undefined {
  if (isImage(node)) return imageRef(node.image);
  if (isRecipe(node)) return node.entry.image;
  if ((node as BaseNode | undefined)?.kind === 'base') return (node as BaseNode).entry.image;
  return undefined;
}

/** The engine the view shows, for the docker CLI (null removes an inherited variable that would pick another). */
function dockerCliEnv(ctx: ViewCommandContext): Record<string, string | null> {
  const s = ctx.store.engine.state;
  if (s.kind === 'unknown' || !s.endpoint) return {};
  return Object.fromEntries(Object.entries(endpointEnv(s.endpoint)).map(([k, v]) => [k, v ?? null]));
}

/** `docker run --rm -it IMAGE sh` in a terminal, as an argument list. */
export function runShell(ctx: ViewCommandContext, node: unknown): vscode.Terminal | undefined {
  if (!isImage(node) || refuseUntrusted('Run Shell in Image')) return undefined;
  const ref = imageRef(node.image);
  const terminal = vscode.window.createTerminal({
    name: `sh in ${ref}`, shellPath: 'docker', shellArgs: ['run', '--rm', '-it', ref, 'sh'], env: dockerCliEnv(ctx), iconPath: new vscode.ThemeIcon('terminal'),
  });
  terminal.show();
  return terminal;
}

function engineOrSay(ctx: ViewCommandContext): Dockerode | undefined {
  const docker = ctx.store.engine.client;
  if (!docker) void vscode.window.showWarningMessage('ownbase: the Docker engine is not reachable: see the Engine view, start dockerd or set ownbase.docker.host');
  return docker;
}

export async function removeImage(ctx: ViewCommandContext, node: unknown): Promise<boolean> {
  if (!isImage(node) || refuseUntrusted('Remove Image')) return false;
  const docker = engineOrSay(ctx);
  if (!docker) return false;
  const { image } = node;
  const name = image.tags.length > 0 ? image.tags.join(', ') : image.shortId;
  const ok = await vscode.window.showWarningMessage(`Remove ${name}?`, { modal: true, detail: `Image ${image.shortId}, ${formatBytes(image.size)}, built from ${node.parent.entry.relPath}.` }, 'Remove Image');
  if (ok !== 'Remove Image') return false;
  try {
    await ctx.engine().removeImage(docker, image);
    return true;
  } catch (err) {
    void vscode.window.showErrorMessage(err instanceof Error ? err.message : String(err));
    return false;
  }
}

/** Removes the images of each recipe label but the newest, after a confirmation that says how many and how big. */
export async function pruneImages(ctx: ViewCommandContext): Promise<number> {
  if (refuseUntrusted('Prune Images')) return 0;
  const docker = engineOrSay(ctx);
  const state = ctx.store.engine.state;
  if (!docker || state.kind !== 'reachable') return 0;
  const plan = prunePlan(state.images);
  if (plan.images.length === 0) {
    void vscode.window.showInformationMessage('ownbase: nothing to prune: each recipe has only its newest image');
    return 0;
  }
  const n = plan.images.length;
  const button = `Remove ${n} Image${n === 1 ? '' : 's'}`;
  const ok = await vscode.window.showWarningMessage(
    `Remove ${n} image${n === 1 ? '' : 's'} built by ownbase, older than the newest build of their recipe? Frees up to ${formatBytes(plan.bytes)}.`,
    { modal: true, detail: plan.images.map((i) => `${i.tags[0] ?? i.id.replace(/^sha256:/, '').slice(0, 12)} (${i.labels[LABEL_RECIPE_PATH] ?? ''}, ${formatBytes(i.size)})`).join('\n') },
    button,
  );
  if (ok !== button) return 0;
  let removed = 0;
  const failed: string[] = [];
  for (const image of plan.images) {
    try {
      await ctx.engine().removeImage(docker, image);
      removed++;
    } catch (err) {
      failed.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (failed.length > 0) void vscode.window.showWarningMessage(`ownbase: removed ${removed} of ${n} images; ${failed.length} could not be removed: ${failed[0]}`);
  else void vscode.window.showInformationMessage(`ownbase: removed ${removed} image${removed === 1 ? '' : 's'}`);
  return removed;
}
