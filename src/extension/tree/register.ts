import * as vscode from 'vscode';
import type { NewRecipeChoices } from '../../core/workspace/newRecipe';
import { dockerHostSetting } from '../commands/buildSettings';
import { refuseUntrusted } from '../commands/outcome';
import { engineLoader } from '../commands/engineModule';
import { featuresLoader } from '../featuresModule';
import { once } from '../startSoon';
import type { Services } from '../services';
import { TrackedBuildStates } from './buildStates';
import { imageNameOf, VIEW_COMMANDS, type fixBase, type openUse, type ViewCommandContext } from './commands';
import { EngineWatcher } from './engineWatcher';
import type { Node, RecipeNode } from './nodes';
import { OwnedBasesProvider, type ViewKind } from './provider';
import { CHECK_UPDATES_COMMAND } from './recipeUpdates';
import { OwnedBasesStore } from './store';
import { registerOwnbaseTasks } from './taskProvider';
import { WorkspaceFiles } from './workspaceFiles';

export const VIEW_IDS: Record<ViewKind, string> = { recipes: 'ownbase.recipes', bases: 'ownbase.bases', engine: 'ownbase.engine' };
/** Not in the palette: what the views show, as data, for tests and for other extensions. */
export const DESCRIBE_COMMAND = 'ownbase.view.describe';

export interface DescribedItem { readonly label: string; readonly description?: string; readonly contextValue?: string; readonly children: readonly DescribedItem[] }

/**
 * What the other features read of the view: its one model (the Dockerfile lenses), its engine (the status bar), and
 * `start`, which creates the three views and the task provider (after activation, or by the first command that needs them).
 */
export interface OwnedBasesView {
  readonly store: OwnedBasesStore;
  readonly engine: EngineWatcher;
  readonly start: () => unknown;
}

/** The Owned Bases container: Recipes, Base Images in Use, Engine; their commands and refresh wiring. */
export function registerOwnedBasesView(context: vscode.ExtensionContext, services: Services): OwnedBasesView {
  const files = new WorkspaceFiles();
  const engine = new EngineWatcher(engineLoader(context.extensionPath), () => dockerHostSetting(), services.log);
  const builds = new TrackedBuildStates(services.builds);
  const store = new OwnedBasesStore(files, engine, builds);
  const ctx: ViewCommandContext = { services, store, engine: engineLoader(context.extensionPath) };
  const f = featuresLoader(context.extensionPath);
  const start = once(() => {
    const providers = (Object.keys(VIEW_IDS) as ViewKind[]).map((kind) => new OwnedBasesProvider(kind, store, services.updates));
    const views = providers.map((p) => vscode.window.createTreeView(VIEW_IDS[p.kind], { treeDataProvider: p, showCollapseAll: p.kind !== 'engine' }));
    const engineDescription = (): void => {
      const s = engine.state;
      views[2]!.description = s.kind === 'unknown' ? undefined : s.endpoint?.host;
    };
    engineDescription();
    engine.publishState();
    context.subscriptions.push(...providers, ...views, engine.onDidChange(engineDescription),
      registerOwnbaseTasks(files, context.asAbsolutePath('dist/cli.js'), f));
    return { providers, views };
  });

  const showFilter = (): void => {
    for (const v of start().views.slice(0, 2)) v.description = store.filter !== '' ? `filter: ${store.filter}` : undefined;
  };

  const register = (id: string, handler: (...args: never[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown);
  context.subscriptions.push(
    files, engine, builds, store,
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('ownbase.docker.host')) void engine.connect(); }),
    register(VIEW_COMMANDS.refresh, () => store.refresh()),
    register(VIEW_COMMANDS.retryEngine, () => engine.connect()),
    register(VIEW_COMMANDS.filter, async (query?: string) => {
      const q = typeof query === 'string' ? query : await vscode.window.showInputBox({
        title: 'Filter Owned Bases', prompt: 'Image, tag, recipe or Dockerfile path, state (outdated, not owned…); empty shows all', value: store.filter,
      });
      if (q === undefined) return;
      store.setFilter(q);
      showFilter();
    }),
    register(VIEW_COMMANDS.clearFilter, () => { store.setFilter(''); showFilter(); }),
    register(VIEW_COMMANDS.newRecipe, (choices?: NewRecipeChoices) => f().newRecipeCommand(choices)),
    register(VIEW_COMMANDS.build, (node?: Node) => f().buildFromView(node)),
    register(VIEW_COMMANDS.rebuild, (node?: Node) => f().buildFromView(node, true)),
    register(VIEW_COMMANDS.cancelBuild, () => vscode.commands.executeCommand('ownbase.cancelBuild')),
    register(VIEW_COMMANDS.enterChroot, (node?: RecipeNode) => vscode.commands.executeCommand('ownbase.enterChroot', node?.uri)),
    register(VIEW_COMMANDS.exportScript, (node?: RecipeNode) => vscode.commands.executeCommand('ownbase.exportScript', node?.uri)),
    register(CHECK_UPDATES_COMMAND, async (arg?: RecipeNode | vscode.Uri) => {
      const refused = refuseUntrusted('Check for Updates', {
        why: 'it fetches the package lists of the archives the recipe names', trustTo: 'fetch package lists',
      });
      if (refused) return refused;
      const target = arg instanceof vscode.Uri ? arg : arg?.kind === 'recipe' ? arg.uri : (await f().resolveRecipe(undefined).catch(() => undefined))?.uri;
      return target ? services.updates.check(target.fsPath) : undefined;
    }),
    register(VIEW_COMMANDS.openRecipe, (node?: Node) => f().openRecipe(node)),
    register(VIEW_COMMANDS.openUse, (use?: Parameters<typeof openUse>[0]) => f().openUse(use)),
    register(VIEW_COMMANDS.runShell, (node?: Node) => f().runShell(ctx, node)),
    register(VIEW_COMMANDS.inspectImage, (node?: Node) => node?.kind === 'image' ? vscode.commands.executeCommand('ownbase.inspect', imageNameOf(node)) : undefined),
    register(VIEW_COMMANDS.copyImageName, async (node?: Node) => {
      const name = imageNameOf(node);
      if (name !== undefined) await vscode.env.clipboard.writeText(name);
      return name;
    }),
    register(VIEW_COMMANDS.removeImage, (node?: Node) => f().removeImage(ctx, node)),
    register(VIEW_COMMANDS.prune, () => f().pruneImages(ctx)),
    register(VIEW_COMMANDS.revealBase, async (image?: string) => {
      const { providers, views } = start();
      const find = async (): Promise<Node | undefined> => (await providers[1]!.getChildren()).find((n) => n.kind === 'base' && n.entry.image === image);
      let node = await find();
      if (!node && store.filter !== '') { store.setFilter(''); showFilter(); node = await find(); }
      if (node) await views[1]!.reveal(node, { select: true, focus: true, expand: true });
      return node !== undefined;
    }),
    register(VIEW_COMMANDS.replaceWithOwnedBase, (node?: Parameters<typeof fixBase>[0]) => f().fixBase(node, 'editor.action.quickFix')),
    register(VIEW_COMMANDS.createOwnedBase, (node?: Parameters<typeof fixBase>[0]) => f().fixBase(node, 'editor.action.refactor')),
    register(DESCRIBE_COMMAND, async () => {
      const describe = async (p: OwnedBasesProvider, node?: Node): Promise<DescribedItem[]> => Promise.all((await p.getChildren(node)).map(async (n) => {
        const item = p.getTreeItem(n);
        const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
        return {
          label, ...(typeof item.description === 'string' && { description: item.description }),
          ...(item.contextValue !== undefined && { contextValue: item.contextValue }), children: await describe(p, n),
        };
      }));
      const [recipes, bases, engineItems] = await Promise.all(start().providers.map((p) => describe(p)));
      return { recipes, bases, engine: engineItems, engineState: engine.state.kind };
    }),
  );
  return { store, engine, start };
}
