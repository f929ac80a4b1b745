import * as vscode from 'vscode';
import { fromLenses, type FromLens } from '../../core/workspace/fromLenses';
import { fromUsesOf } from '../../core/workspace/model';
import { toRange } from '../convert';
import { VIEW_COMMANDS } from '../tree/commands';
import type { OwnedBasesStore } from '../tree/store';

/** `ownbase.codeLens.dockerfile`: the lenses above FROM lines, on by default. */
export const DOCKERFILE_LENS_SETTING = 'codeLens.dockerfile';

const enabled = (): boolean => vscode.workspace.getConfiguration('ownbase').get<boolean>(DOCKERFILE_LENS_SETTING) !== false;

/**
 * Above each FROM line: an owned image's size and age (click: show it in Base Images in Use; "Open Recipe"
 * when a workspace recipe builds it), or "Replace with owned base" / "Create owned base" for an image not
 * owned. Everything comes from the Owned Bases store's model, and follows it when it changes.
 */
export class DockerfileLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly store: Pick<OwnedBasesStore, 'unfiltered'>) {}

  refresh(): void { this.changed.fire(); }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!enabled()) return [];
    const uses = fromUsesOf({ path: document.uri.fsPath, relPath: vscode.workspace.asRelativePath(document.uri, false), text: document.getText() });
    if (uses.length === 0) return [];
    const model = await this.store.unfiltered();
    return fromLenses(uses, model, Date.now()).flatMap((l) => lensesFor(l));
  }

  dispose(): void { this.changed.dispose(); }
}

function lensesFor(l: FromLens): vscode.CodeLens[] {
  const range = toRange(l.range);
  if (l.kind === 'notOwned') {
    const node = { kind: 'use', use: l.use };
    return [
      new vscode.CodeLens(range, { title: 'Replace with owned base', command: VIEW_COMMANDS.replaceWithOwnedBase, arguments: [node], tooltip: `${l.image} is not owned: the quick fixes that use a workspace recipe's image instead` }),
      new vscode.CodeLens(range, { title: 'Create owned base', command: VIEW_COMMANDS.createOwnedBase, arguments: [node], tooltip: `Write a recipe for ${l.image}'s stage and use its image` }),
    ];
  }
  return [
    new vscode.CodeLens(range, { title: l.title, command: VIEW_COMMANDS.revealBase, arguments: [l.image], tooltip: `${l.tooltip}\n(click to show it in Owned Bases)` }),
    ...(l.recipePath !== undefined
      ? [new vscode.CodeLens(range, { title: 'Open Recipe', command: VIEW_COMMANDS.openRecipe, arguments: [{ kind: 'base', entry: { recipePath: l.recipePath } }], tooltip: vscode.workspace.asRelativePath(l.recipePath) })]
      : []),
  ];
}

/** Registers the lenses on Dockerfiles; they refresh when the store's model changes or the setting does. */
export function registerDockerfileCodeLens(context: vscode.ExtensionContext, store: OwnedBasesStore): DockerfileLenses {
  const lenses = new DockerfileLenses(store);
  context.subscriptions.push(
    lenses,
    vscode.languages.registerCodeLensProvider({ language: 'dockerfile' }, lenses),
    store.onDidChange(() => lenses.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(`ownbase.${DOCKERFILE_LENS_SETTING}`)) lenses.refresh(); }),
  );
  return lenses;
}
