import * as vscode from 'vscode';
import { LABEL_RECIPE_PATH } from '../../core/engine/labels';
import { formatAge, formatBytes, formatDelta } from '../../core/workspace/format';
import type { BaseImageEntry, BuiltImage, FromUse, RecipeEntry, WorkspaceModel } from '../../core/workspace/model';
import type { RecipeBuildState } from './buildStates';
import type { RecipeUpdatesState } from './recipeUpdates';
import type { EngineState } from './engineWatcher';

/** What a recipe shows: its image state, or its build in this window while that matters more. */
export type RecipeDisplayState = 'notBuilt' | 'built' | 'outdated' | 'unknown' | 'building' | 'failed';

export interface RecipeNode { readonly kind: 'recipe'; readonly id: string; readonly entry: RecipeEntry; readonly uri: vscode.Uri; readonly state: RecipeDisplayState; readonly build?: RecipeBuildState; readonly updates?: RecipeUpdatesState }
export interface ImageNode { readonly kind: 'image'; readonly id: string; readonly parent: RecipeNode; readonly image: BuiltImage }
export interface UseNode { readonly kind: 'use'; readonly id: string; readonly parent: RecipeNode | BaseNode; readonly use: FromUse }
export interface BaseNode { readonly kind: 'base'; readonly id: string; readonly entry: BaseImageEntry }
export interface EngineNode { readonly kind: 'engine'; readonly id: string; readonly label: string; readonly description?: string; readonly tooltip?: string; readonly icon: string }
export type Node = RecipeNode | ImageNode | UseNode | BaseNode | EngineNode;

export const parentOf = (n: Node): Node | undefined => (n.kind === 'image' || n.kind === 'use' ? n.parent : undefined);

const STATE_WORDS: Record<RecipeDisplayState, string> = {
  notBuilt: 'not built', built: 'built', outdated: 'outdated', unknown: 'no engine', building: 'building…', failed: 'build failed',
};
const STATE_ICONS: Record<RecipeDisplayState, [string, string?]> = {
  notBuilt: ['circle-large-outline'], built: ['pass', 'testing.iconPassed'], outdated: ['warning', 'list.warningForeground'],
  unknown: ['question'], building: ['sync~spin'], failed: ['error', 'list.errorForeground'],
};

function displayState(entry: RecipeEntry, build: RecipeBuildState | undefined): RecipeDisplayState {
  if (build?.kind === 'building') return 'building';
  if (build?.kind === 'failed') return 'failed';
  return entry.state === 'not-built' ? 'notBuilt' : entry.state;
}

export function recipeNodes(
  model: WorkspaceModel, buildOf: (uri: vscode.Uri) => RecipeBuildState | undefined, updatesOf: (path: string) => RecipeUpdatesState | undefined = () => undefined,
): RecipeNode[] {
  return model.recipes.map((entry) => {
    const uri = vscode.Uri.file(entry.path);
    const build = buildOf(uri);
    const updates = updatesOf(entry.path);
    return { kind: 'recipe', id: `recipe:${entry.path}`, entry, uri, state: displayState(entry, build), ...(build && { build }), ...(updates && { updates }) };
  });
}

export const baseNodes = (model: WorkspaceModel): BaseNode[] => model.bases.map((entry) => ({ kind: 'base', id: `base:${entry.image}`, entry }));

export function childrenOf(n: Node): Node[] {
  switch (n.kind) {
    case 'recipe':
      return [
        ...n.entry.images.map((image): ImageNode => ({ kind: 'image', id: `${n.id}/image:${image.id}`, parent: n, image })),
        ...n.entry.users.map((use): UseNode => ({ kind: 'use', id: `${n.id}/use:${use.path}:${use.range.start.line}`, parent: n, use })),
      ];
    case 'base':
      return n.entry.uses.map((use): UseNode => ({ kind: 'use', id: `${n.id}/use:${use.path}:${use.range.start.line}`, parent: n, use }));
    default:
      return [];
  }
}

export function engineNodes(state: EngineState): EngineNode[] {
  if (state.kind !== 'reachable') return [];
  const { endpoint, version, images } = state;
  const source = endpoint.source === 'context' ? `docker context ${endpoint.context ?? ''}` : endpoint.source === 'setting' ? 'ownbase.docker.host' : endpoint.source === 'DOCKER_HOST' ? 'DOCKER_HOST' : 'default socket';
  const owned = images.filter((i) => i.labels[LABEL_RECIPE_PATH] !== undefined);
  return [
    { kind: 'engine', id: 'engine:host', label: endpoint.host, description: source, tooltip: `The Docker engine at ${endpoint.host}, from ${source}`, icon: 'server' },
    { kind: 'engine', id: 'engine:version', label: `Docker ${version.version}`, description: `API ${version.apiVersion} · ${version.os}/${version.arch}`, icon: 'info' },
    { kind: 'engine', id: 'engine:images', label: `${images.length} images`, description: `${owned.length} built by ownbase · ${formatBytes(owned.reduce((s, i) => s + i.size, 0))}`, icon: 'layers' },
  ];
}

/** The image name a command uses: its first tag, else its id. */
export const imageRef = (image: BuiltImage): string => image.tags[0] ?? image.id;

export function treeItem(n: Node, now: number): vscode.TreeItem {
  switch (n.kind) {
    case 'recipe': return recipeItem(n);
    case 'image': return imageItem(n.image, now);
    case 'use': return useItem(n.use);
    case 'base': return baseItem(n.entry);
    case 'engine': {
      const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
      item.id = n.id;
      if (n.description !== undefined) item.description = n.description;
      if (n.tooltip !== undefined) item.tooltip = n.tooltip;
      item.iconPath = new vscode.ThemeIcon(n.icon);
      item.contextValue = 'ownbase.engine';
      return item;
    }
  }
}

function recipeItem(n: RecipeNode): vscode.TreeItem {
  const { entry, state, build } = n;
  const hasChildren = entry.images.length + entry.users.length > 0;
  const item = new vscode.TreeItem(entry.image ?? entry.relPath, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = n.id;
  const newest = entry.images[0];
  const words = state === 'failed' && build?.kind === 'failed' ? `build failed (exit ${build.exitCode})`
    : state === 'building' && build?.kind === 'building' && build.step ? `building: ${build.step}` : STATE_WORDS[state];
  item.description = [words, newest && formatBytes(newest.size), n.updates?.words].filter(Boolean).join(' · ');
  const [icon, color] = STATE_ICONS[state];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  // `.locked`: Check for Updates compares a lock with the archive, and is offered only where there is one.
  item.contextValue = `ownbase.recipe.${state}${n.updates ? '.locked' : ''}`;
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${entry.image ?? '(no image named)'}**\n\n`);
  md.appendMarkdown(`Recipe: \`${entry.relPath}\`  \nState: ${words}  \nRecipe sha256: \`${entry.sha256.slice(0, 12)}\``);
  if (build?.kind === 'failed' && build.message !== undefined) md.appendText(`\nThe build said: ${build.message}`);
  if (newest) {
    md.appendMarkdown(`  \nNewest image: \`${newest.shortId}\`, ${formatBytes(newest.size)}${newest.delta !== undefined ? ` (${formatDelta(newest.delta)})` : ''}, ${new Date(newest.created).toISOString()}`);
    if (newest.recipeSha256 !== undefined && !newest.current) md.appendMarkdown(`  \nBuilt from sha256 \`${newest.recipeSha256.slice(0, 12)}\`: the recipe changed since`);
  }
  md.appendMarkdown(`  \n${entry.images.length} image(s) · used by ${entry.users.length} FROM line(s)`);
  item.tooltip = md;
  return item;
}

function imageItem(image: BuiltImage, now: number): vscode.TreeItem {
  const item = new vscode.TreeItem(image.tags[0] ?? `<none> ${image.shortId}`, vscode.TreeItemCollapsibleState.None);
  item.description = [formatBytes(image.size), image.delta !== undefined ? formatDelta(image.delta) : undefined, formatAge(image.created, now), image.shortId, image.arch]
    .filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(image.current ? 'package' : 'history');
  item.contextValue = image.tags.length > 0 ? 'ownbase.image.tagged' : 'ownbase.image';
  item.tooltip = [
    `Tags: ${image.tags.length > 0 ? image.tags.join(', ') : '(none)'}`,
    `ID: ${image.id}`,
    `Size: ${formatBytes(image.size)} (${image.size} bytes)`,
    ...(image.delta !== undefined ? [`Since the previous build: ${formatDelta(image.delta)}`] : ['The first build of this recipe']),
    `Created: ${new Date(image.created).toISOString()} (${formatAge(image.created, now)})`,
    ...(image.arch !== undefined ? [`Architecture: ${image.arch}`] : []),
    image.current ? 'Built from the recipe as it is now' : 'Built from an earlier version of the recipe',
  ].join('\n');
  return item;
}

function useItem(use: FromUse): vscode.TreeItem {
  const item = new vscode.TreeItem(`${use.relPath}:${use.range.start.line + 1}`, vscode.TreeItemCollapsibleState.None);
  item.description = `FROM ${use.raw}`;
  item.resourceUri = vscode.Uri.file(use.path);
  item.iconPath = vscode.ThemeIcon.File;
  item.contextValue = 'ownbase.use';
  item.tooltip = `${use.relPath}, line ${use.range.start.line + 1}, stage ${use.stage}: FROM ${use.raw}${use.raw !== use.image ? ` (${use.image})` : ''}`;
  item.command = { command: 'ownbase.view.openUse', title: 'Open FROM Line', arguments: [use] };
  return item;
}

function baseItem(entry: BaseImageEntry): vscode.TreeItem {
  const item = new vscode.TreeItem(entry.image, entry.uses.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.description = [entry.owned ? 'owned' : 'not owned', entry.local && formatBytes(entry.local.size), `${entry.uses.length} use${entry.uses.length === 1 ? '' : 's'}`]
    .filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(entry.owned ? 'verified' : 'package');
  item.contextValue = entry.owned ? (entry.recipePath !== undefined ? 'ownbase.base.owned.recipe' : 'ownbase.base.owned') : 'ownbase.base.notOwned';
  item.tooltip = [
    `${entry.image}: ${entry.owned ? 'owned' : 'not owned'}${entry.recipePath !== undefined ? ` (built by ${vscode.workspace.asRelativePath(entry.recipePath)})` : ''}`,
    entry.local ? `Local image ${entry.local.id.replace(/^sha256:/, '').slice(0, 12)}, ${formatBytes(entry.local.size)}` : 'Not in the engine',
    ...entry.uses.map((u) => `${u.relPath}:${u.range.start.line + 1}`),
  ].join('\n');
  return item;
}
