import * as vscode from 'vscode';
import type { OwnedImage } from '../core/dockerfile/rule';
import { ownedImageOf } from '../core/lint/workspace';
import { RECIPE_GLOB } from './globs';
import { once } from './startSoon';

/** The workspace's recipes and the images they build; kept current by a file watcher from `start()` on. */
export class RecipeIndex implements vscode.Disposable {
  private readonly images = new Map<string, OwnedImage>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private watcher: vscode.FileSystemWatcher | undefined;

  /**
   * Watches the recipes and scans the workspace once (started after activation, ARCHITECTURE.md); resolves when the
   * scan is done. Lint does not wait for the scan (findFiles can take a second in a large or remote workspace): it
   * fires a change when done, and open Dockerfiles are linted again with what it found.
   */
  readonly start = once(async (): Promise<void> => {
    const watcher = this.watcher = vscode.workspace.createFileSystemWatcher(RECIPE_GLOB);
    const update = (uri: vscode.Uri) => void this.read(uri).then(() => this.changed.fire());
    watcher.onDidCreate(update);
    watcher.onDidChange(update);
    watcher.onDidDelete((uri) => { this.images.delete(uri.toString()); this.changed.fire(); });
    await this.scan();
    if (this.images.size > 0) this.changed.fire();
  });

  private async scan(): Promise<void> {
    const uris = await vscode.workspace.findFiles(RECIPE_GLOB, '**/node_modules/**');
    await Promise.all(uris.map((u) => this.read(u)));
  }

  private async read(uri: vscode.Uri): Promise<void> {
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const owned = ownedImageOf(text, uri.fsPath);
      if (owned) this.images.set(uri.toString(), owned); else this.images.delete(uri.toString());
    } catch {
      this.images.delete(uri.toString());
    }
  }

  /** Updates from an open editor's unsaved text, so a recipe being edited counts at once. */
  updateFromDocument(document: vscode.TextDocument): void {
    const owned = ownedImageOf(document.getText(), document.uri.fsPath);
    const key = document.uri.toString();
    const before = JSON.stringify(this.images.get(key));
    if (owned) this.images.set(key, owned); else this.images.delete(key);
    if (JSON.stringify(owned) !== before) this.changed.fire();
  }

  /** The images known so far. */
  owned(): OwnedImage[] {
    return [...this.images.values()];
  }

  dispose(): void { this.watcher?.dispose(); this.changed.dispose(); }
}
