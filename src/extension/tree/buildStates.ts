import * as vscode from 'vscode';
import type { RunRegistry } from '../terminal/runs';

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
  /** What a build started from the view ended with (the build command's result). */
  recordResult(recipe: vscode.Uri, result: unknown): void;
}

/** The fields of the build command's result the view reads (src/extension/commands/build.ts BuildResult). */
interface BuildOutcome { readonly exitCode: number; readonly cancelled: boolean; readonly image?: string }

const isOutcome = (r: unknown): r is BuildOutcome =>
  typeof r === 'object' && r !== null && typeof (r as BuildOutcome).exitCode === 'number' && typeof (r as BuildOutcome).cancelled === 'boolean';

/**
 * Build states from the runs in progress (building) and the build command's results (succeeded, failed,
 * cancelled). Builds started outside the view show as building while they run; only the view's own builds
 * leave a failed state behind.
 */
export class RunRegistryBuildStates implements RecipeBuildStates {
  private readonly ended = new Map<string, RecipeBuildState>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly runs: RunRegistry) {
    this.sub = runs.onDidChange(() => this.changed.fire());
  }

  stateOf(recipe: vscode.Uri): RecipeBuildState | undefined {
    const key = recipe.toString();
    if (this.runs.active.some((r) => r.recipe?.toString() === key)) return { kind: 'building' };
    return this.ended.get(key);
  }

  recordResult(recipe: vscode.Uri, result: unknown): void {
    if (!isOutcome(result)) return;
    const state: RecipeBuildState = result.cancelled ? { kind: 'cancelled' }
      : result.exitCode === 0 ? { kind: 'succeeded', ...(result.image !== undefined && { image: result.image }) }
      : { kind: 'failed', exitCode: result.exitCode };
    this.ended.set(recipe.toString(), state);
    this.changed.fire();
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
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

  /** The tracker already saw the build's end. */
  recordResult(): void {}

  dispose(): void {}
}
