import * as vscode from 'vscode';
import { baseNodes, childrenOf, engineNodes, parentOf, recipeNodes, treeItem, type Node } from './nodes';
import type { RecipeUpdates } from './recipeUpdates';
import type { OwnedBasesStore } from './store';

export type ViewKind = 'recipes' | 'bases' | 'engine';

/** One of the three views; its nodes are cached until the store changes, and know their parent for `reveal`. */
export class OwnedBasesProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private roots: Promise<Node[]> | undefined;
  private readonly children = new Map<string, Node[]>();
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(readonly kind: ViewKind, private readonly store: OwnedBasesStore, private readonly updates?: RecipeUpdates) {
    const subs = [store.onDidChange(() => this.refresh()), ...(updates && kind === 'recipes' ? [updates.onDidChange(() => this.refresh())] : [])];
    this.sub = vscode.Disposable.from(...subs);
  }

  refresh(): void {
    this.roots = undefined;
    this.children.clear();
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Promise<Node[]> | Node[] {
    if (!node) {
      this.roots ??= this.computeRoots();
      return this.roots;
    }
    let cached = this.children.get(node.id);
    if (!cached) {
      cached = childrenOf(node);
      this.children.set(node.id, cached);
    }
    return cached;
  }

  private async computeRoots(): Promise<Node[]> {
    const model = await this.store.model();
    switch (this.kind) {
      case 'recipes': return recipeNodes(model, (uri) => this.store.builds.stateOf(uri), (path) => this.updates?.stateOf(path));
      case 'bases': return baseNodes(model);
      case 'engine': return engineNodes(this.store.engine.state);
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return treeItem(node, Date.now());
  }

  getParent(node: Node): Node | undefined {
    return parentOf(node);
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
