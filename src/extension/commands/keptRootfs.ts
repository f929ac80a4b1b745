import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as vscode from 'vscode';

const KEY = 'ownbase.keptRootfs';
const MAX_PER_RECIPE = 10;

/** The rootfs folders builds kept (`ownbase.build.keepRootfs`), per recipe, newest first: what Enter Chroot offers. */
export class KeptRootfs {
  constructor(private readonly state: vscode.Memento) {}

  list(recipe: vscode.Uri): string[] {
    const all = this.state.get<Record<string, string[]>>(KEY, {});
    return (all[recipe.toString()] ?? []).filter((dir) => existsSync(join(dir, 'etc')));
  }

  async add(recipe: vscode.Uri, dir: string): Promise<void> {
    const all = { ...this.state.get<Record<string, string[]>>(KEY, {}) };
    all[recipe.toString()] = [dir, ...this.list(recipe).filter((d) => d !== dir)].slice(0, MAX_PER_RECIPE);
    await this.state.update(KEY, all);
  }
}
