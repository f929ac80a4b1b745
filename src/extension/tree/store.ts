import * as vscode from 'vscode';
import { filterWorkspace } from '../../core/workspace/filter';
import { buildWorkspaceModel, type WorkspaceModel } from '../../core/workspace/model';
import type { RecipeBuildStates } from './buildStates';
import { Debouncer } from './debounce';
import type { EngineWatcher } from './engineWatcher';
import type { WorkspaceFiles } from './workspaceFiles';

/** Set while the views are filtered: the Clear Filter action and the "nothing matches" welcome show. */
export const FILTERED_CONTEXT = 'ownbase.view.filtered';

/** What the three views show, computed in the core from the files, the engine and the builds; cached until one changes. */
export class OwnedBasesStore implements vscode.Disposable {
  private cached: WorkspaceModel | undefined;
  private query = '';
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired once for a burst of changes (a save that also rebuilds, a tag and an untag). */
  readonly onDidChange = this.changed.event;
  private readonly fire = new Debouncer(100, () => { this.cached = undefined; this.changed.fire(); });
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
    this.changed.fire();
  }

  /** The model, filtered; reads the workspace on first use and starts following the engine. */
  async model(): Promise<WorkspaceModel> {
    await this.files.ready();
    this.engine.start();
    if (!this.cached) {
      const engine = this.engine.state;
      const patterns = vscode.workspace.getConfiguration('ownbase').get<unknown>('ownedImages');
      const model = buildWorkspaceModel({
        recipes: this.files.recipes, dockerfiles: this.files.dockerfiles,
        images: engine.kind === 'reachable' ? engine.images : undefined,
        ownedPatterns: Array.isArray(patterns) ? patterns.filter((p): p is string => typeof p === 'string') : [],
      });
      this.cached = filterWorkspace(model, this.query);
    }
    return this.cached;
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this.fire.dispose();
    this.changed.dispose();
  }
}
