import * as vscode from 'vscode';

/** What the view shows of a recipe's latest build in this window. */
export type RecipeBuildState =
  | { readonly kind: 'building'; readonly step?: string }
  | { readonly kind: 'succeeded'; readonly image?: string; readonly id?: string }
  | { readonly kind: 'failed'; readonly exitCode: number; readonly message?: string }
  | { readonly kind: 'cancelled' };

/** The narrow view of builds the tree needs: a lookup by recipe and a change event. */
export interface RecipeBuildStates extends vscode.Disposable {
  stateOf(recipe: vscode.Uri): RecipeBuildState | undefined;
  readonly onDidChange: vscode.Event<void>;
}

/** What the view reads of a build tracker fed by the CLI's build events (`ownbase build --progress json`). */
export interface BuildEventSource {
  get(recipe: string): TrackedBuild | undefined;
  readonly onDidChange: vscode.Event<unknown>;
}
type TrackedBuild =
  | { readonly state: 'building'; readonly step?: { readonly index: number; readonly total: number; readonly title: string } }
  | { readonly state: 'succeeded'; readonly image: string; readonly id?: string }
  | { readonly state: 'failed'; readonly exitCode: number; readonly message: string }
  | { readonly state: 'cancelled' };

/** Build states from the build events: every build, wherever it was started, with its current step and failure message. */
export class TrackedBuildStates implements RecipeBuildStates {
  readonly onDidChange: vscode.Event<void>;

  constructor(private readonly tracker: BuildEventSource) {
    this.onDidChange = (listener, thisArg, disposables) => tracker.onDidChange(() => listener.call(thisArg), undefined, disposables);
  }

  stateOf(recipe: vscode.Uri): RecipeBuildState | undefined {
    const s = this.tracker.get(recipe.fsPath);
    switch (s?.state) {
      case undefined: return undefined;
      case 'building': return { kind: 'building', ...(s.step && { step: `[${s.step.index}/${s.step.total}] ${s.step.title}` }) };
      case 'succeeded': return { kind: 'succeeded', image: s.image, ...(s.id !== undefined && { id: s.id }) };
      case 'failed': return { kind: 'failed', exitCode: s.exitCode, message: s.message };
      case 'cancelled': return { kind: 'cancelled' };
    }
  }

  dispose(): void {}
}
