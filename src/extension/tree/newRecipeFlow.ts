import * as vscode from 'vscode';
import { debianArchOf } from '../../core/kernel/arch';
import type { Distro } from '../../core/recipe/types';
import { freeRecipeName } from '../../core/recipe/serialize';
import { archChoices, DISTRO_CHOICES, newRecipe, parsePackageList, suiteChoices, VARIANT_CHOICES, type Choice, type NewRecipeChoices } from '../../core/workspace/newRecipe';

async function pick(choices: readonly Choice[], title: string, step: number): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(
    choices.map((c) => ({ label: c.label, ...(c.description !== undefined && { description: c.description }), value: c.value })),
    { title: `New Recipe (${step}/5): ${title}`, ignoreFocusOut: true, matchOnDescription: true },
  );
  return picked?.value;
}

/** distro → suite → arch → variant → packages; undefined when the user stops. */
async function ask(): Promise<NewRecipeChoices | undefined> {
  const distro = await pick(DISTRO_CHOICES, 'distribution', 1) as Distro | undefined;
  if (!distro) return undefined;
  const suite = await pick(suiteChoices(distro), 'release', 2);
  if (!suite) return undefined;
  const arch = await pick(archChoices(debianArchOf(process.arch)), 'architecture', 3);
  if (!arch) return undefined;
  const variant = await pick(VARIANT_CHOICES, 'bootstrap variant', 4);
  if (!variant) return undefined;
  const text = await vscode.window.showInputBox({
    title: 'New Recipe (5/5): packages', prompt: 'Packages to install after the bootstrap, separated by spaces or commas (may be empty)',
    value: 'ca-certificates', ignoreFocusOut: true,
    validateInput: (v) => { const r = parsePackageList(v); return 'error' in r ? r.error : null; },
  });
  if (text === undefined) return undefined;
  const packages = parsePackageList(text);
  return 'error' in packages ? undefined : { distro, suite, arch, variant, packages: packages.packages };
}

/**
 * Writes a new recipe (core newRecipe, serialized by the recipe serializer) in the workspace folder and opens
 * it. `given` skips the questions (tests, other extensions). Resolves with the file, undefined when stopped.
 */
export async function newRecipeCommand(given?: NewRecipeChoices): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('ownbase: open a folder first: a recipe is a file in your workspace');
    return undefined;
  }
  const choices = given ?? await ask();
  if (!choices) return undefined;
  const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Where does the recipe go?' });
  if (!folder) return undefined;
  const { fileName, text } = newRecipe(choices);
  const existing = new Set((await vscode.workspace.fs.readDirectory(folder.uri)).map(([name]) => name));
  const uri = vscode.Uri.joinPath(folder.uri, freeRecipeName(fileName, (n) => existing.has(n)));
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  await vscode.window.showTextDocument(uri);
  return uri;
}
