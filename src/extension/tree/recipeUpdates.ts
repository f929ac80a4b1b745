import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { detectBuildHost } from '../../core/build/host';
import { readLockBeside } from '../../core/build/lock';
import { checkOutdated } from '../../core/build/outdatedCheck';
import { loadRecipe } from '../../core/recipe/lint';
import { countUpdates, formatUpdates, UpdatesCache, type UpdatesResult } from '../../core/workspace/updates';
import type { Logger } from '../logger';

/** Checks a recipe's lock for updates: from the recipe item (a RecipeNode), the lens (a Uri) or the palette. */
export const CHECK_UPDATES_COMMAND = 'ownbase.checkUpdates';

/** What a recipe shows of its lock's updates: nothing without a lock, else the last check's words or none yet. */
export interface RecipeUpdatesState { readonly words?: string; readonly result?: UpdatesResult }

/**
 * "Check for Updates" of a recipe's lock, on demand only: activation and refreshes read the lock beside the recipe
 * (a local file) and the cached result for its content, never the archive.
 */
export class RecipeUpdates implements vscode.Disposable {
  /** Made by the first check: the core's cache is not loaded at activation (ARCHITECTURE.md). */
  private cache: UpdatesCache | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: Logger) {}

  /** undefined when the recipe has no (readable) lock: then there is nothing to check. */
  stateOf(recipePath: string): RecipeUpdatesState | undefined {
    let sha: string | undefined;
    try { sha = readLockBeside(recipePath)?.sha256; } catch { return undefined; }
    if (sha === undefined) return undefined;
    const result = this.cache?.get(sha);
    return result ? { words: formatUpdates(result), result } : {};
  }

  /** Reads the archive and caches the count for the lock's current content; the message says what was found. */
  async check(recipePath: string): Promise<UpdatesResult> {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'ownbase: checking the archive for updates…' },
      async (): Promise<{ sha?: string; result: UpdatesResult }> => {
        try {
          const lock = readLockBeside(recipePath);
          if (!lock) return { result: { error: `no lock beside ${vscode.workspace.asRelativePath(recipePath)}: write one with ownbase lock`, checkedAt: Date.now() } };
          const { recipe, diagnostics } = loadRecipe(readFileSync(recipePath, 'utf8'));
          if (!recipe) return { sha: lock.sha256, result: { error: `the recipe has errors: ${diagnostics[0]?.message ?? 'unreadable'}`, checkedAt: Date.now() } };
          const found = await checkOutdated(recipe, lock.lock, detectBuildHost());
          return { sha: lock.sha256, result: countUpdates(found.found, Date.now()) };
        } catch (e) {
          return { result: { error: (e as Error).message, checkedAt: Date.now() } };
        }
      },
    );
    if (result.sha !== undefined) (this.cache ??= new UpdatesCache()).set(result.sha, result.result);
    this.changed.fire();
    const r = result.result;
    if ('error' in r) {
      this.log.error(`check for updates failed: ${r.error}`);
      void vscode.window.showErrorMessage(`ownbase: could not check for updates: ${r.error}`);
    } else {
      void vscode.window.showInformationMessage(r.total === 0
        ? 'ownbase: every locked package is the newest the archive has'
        : `ownbase: ${formatUpdates(r)}; rebuild and lock again (ownbase lock) to take them`);
    }
    return r;
  }

  dispose(): void { this.changed.dispose(); }
}
