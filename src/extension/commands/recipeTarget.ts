import { basename, dirname, relative } from 'node:path';
import * as vscode from 'vscode';
import { RECIPE_GLOB } from '../globs';

const RECIPE_FILE = /\.ownbase\.ya?ml$/;

/** Where a recipe's CLI run starts: its workspace folder (the recipe path label is relative to it). */
export interface RecipeTarget {
  readonly uri: vscode.Uri;
  readonly cwd: string;
  /** The recipe as the CLI gets it, relative to `cwd`. */
  readonly arg: string;
  /** `bookworm-slim` for bookworm-slim.ownbase.yaml. */
  readonly stem: string;
}

export function recipeTarget(uri: vscode.Uri): RecipeTarget {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const cwd = folder?.uri.fsPath ?? dirname(uri.fsPath);
  return { uri, cwd, arg: relative(cwd, uri.fsPath), stem: basename(uri.fsPath).replace(RECIPE_FILE, '') };
}

/**
 * The recipe a command is about: the one it was given (CodeLens, explorer), else the active editor's,
 * else the workspace's only one, else one the user picks. Unsaved changes are saved first: the CLI
 * reads the file. undefined when the user picked nothing.
 */
export async function resolveRecipe(arg: unknown): Promise<RecipeTarget | undefined> {
  let uri = arg instanceof vscode.Uri ? arg : undefined;
  if (uri && !RECIPE_FILE.test(uri.path)) throw new Error(`${uri.fsPath} is not a recipe (*.ownbase.yaml)`);
  const active = vscode.window.activeTextEditor?.document;
  if (!uri && active && RECIPE_FILE.test(active.uri.path)) uri = active.uri;
  if (!uri) {
    const all = await vscode.workspace.findFiles(RECIPE_GLOB, '**/node_modules/**');
    if (all.length === 0) throw new Error('No recipe (*.ownbase.yaml) in this workspace: create one, or derive one from a Dockerfile with the "Create owned base" quick fix');
    if (all.length === 1) uri = all[0];
    else {
      const picked = await vscode.window.showQuickPick(
        all.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })).sort((a, b) => a.label.localeCompare(b.label)),
        { placeHolder: 'Which recipe?' },
      );
      uri = picked?.uri;
    }
  }
  if (!uri) return undefined;
  if (uri.scheme !== 'file') throw new Error(`${uri.toString()} is not a local file: builds run on this machine`);
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri!.toString());
  if (doc?.isDirty && !(await doc.save())) throw new Error(`${vscode.workspace.asRelativePath(uri)} could not be saved`);
  return recipeTarget(uri);
}
