import * as vscode from 'vscode';
import { filterWorkspace } from '../../core/workspace/filter';
import { buildWorkspaceModel, type WorkspaceModel } from '../../core/workspace/model';
import type { RecipeBuildStates } from './buildStates';
import { Debouncer } from './debounce';
import type { EngineWatcher } from './engineWatcher';
import type { WorkspaceFiles } from './workspaceFiles';

/** Set while the views are filtered: the Clear Filter action and the "nothing matches" welcome show. */
export const FILTERED_CONTEXT = 'ownbase.view.filtered';
/** The walkthrough's steps complete on these (the real state of the workspace and the engine). */
export const PROGRESS_CONTEXT = { hasRecipe: 'ownbase.hasRecipe', hasBuiltImage: 'ownbase.hasBuiltImage', usesOwnedBase: 'ownbase.usesOwnedBase' } as const;

/** What the three views show, computed in the core from the files, the engine and the builds; cached until one changes. */
export class OwnedBasesStore implements vscode.Disposable {
  private cached: WorkspaceModel | undefined;
  private whole: WorkspaceModel | undefined;
  private started = false;
  private progress = '';
  private query = '';
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired once for a burst of changes (a save that also rebuilds, a tag and an untag). */
  readonly onDidChange = this.changed.event;
  private readonly fire = new Debouncer(100, () => {
    this.cached = undefined;
    this.whole = undefined;
    this.changed.fire();
    // The walkthrough's context keys follow even while the views are hidden (nothing asks for their children then).
    if (this.started) void this.model();
  });
  private readonly subs: vscode.Disposable[];

  constructor(readonly files: WorkspaceFiles, readonly engine: EngineWatcher, readonly builds: RecipeBuildStates) {
    const invalidate = (): void => this.fire.trigger();
    this.subs = [
      files.onDidChange(invalidate), engine.onDidChange(invalidate), builds.onDidChange(invalidate),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('ownbase.ownedImages')) invalidate(); }),
    ];
  }

  get filter(): string { return this.query; }

  setFilter(query: string): void {
    this.query = query.trim();
    void vscode.commands.executeCommand('setContext', FILTERED_CONTEXT, this.query !== '');
    this.cached = undefined;
    this.changed.fire();
  }

  /** Drops every cache and reads the engine again. */
  async refresh(): Promise<void> {
    await this.engine.connect();
    this.cached = undefined;
    this.whole = undefined;
    this.changed.fire();
  }

  /** The model, filtered; reads the workspace on first use and starts following the engine. */
  async model(): Promise<WorkspaceModel> {
    const model = await this.unfiltered();
    this.cached ??= filterWorkspace(model, this.query);
    return this.cached;
  }

  /** The whole model, whatever the views' filter: what the Dockerfile lenses read. */
  async unfiltered(): Promise<WorkspaceModel> {
    await this.files.ready();
    this.engine.start();
    this.started = true;
    if (!this.whole) {
      const engine = this.engine.state;
      const patterns = vscode.workspace.getConfiguration('ownbase').get<unknown>('ownedImages');
      this.whole = buildWorkspaceModel({
        recipes: this.files.recipes, dockerfiles: this.files.dockerfiles,
        images: engine.kind === 'reachable' ? engine.images : undefined,
        ownedPatterns: Array.isArray(patterns) ? patterns.filter((p): p is string => typeof p === 'string') : [],
      });
      this.setProgress(this.whole);
    }
    return this.whole;
  }

  private setProgress(model: WorkspaceModel): void {
    const keys: [string, boolean][] = [
      [PROGRESS_CONTEXT.hasRecipe, model.recipes.length > 0],
      [PROGRESS_CONTEXT.hasBuiltImage, model.recipes.some((r) => r.images.length > 0)],
      [PROGRESS_CONTEXT.usesOwnedBase, model.recipes.some((r) => r.users.length > 0)],
    ];
    const now = JSON.stringify(keys);
    if (now === this.progress) return;
    this.progress = now;
    for (const [key, value] of keys) void vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this.fire.dispose();
    this.changed.dispose();
  }
}
