import * as vscode from 'vscode';
import { BUILD_STARTED, endBuildState, nextBuildState, type BuildState } from '../../core/run/buildState';
import type { BuildEvent } from '../../core/run/events';

/** One recipe's build state changed. */
export interface BuildChange {
  /** The recipe's file system path. */
  readonly recipe: string;
  readonly state: BuildState;
  /** A new build of the recipe began (and took over from any earlier one). */
  readonly started?: true;
}

/** One event of a recipe's current build (a later build of the same recipe silences the earlier one). */
export interface BuildEventOf {
  /** The recipe's file system path. */
  readonly recipe: string;
  readonly event: BuildEvent;
}

/** What a build run tells the tracker. */
export interface BuildFeed {
  readonly terminal: (t: vscode.Terminal) => void;
  readonly event: (e: BuildEvent) => void;
  readonly ended: (exitCode: number, cancelRequested: boolean) => void;
}

/**
 * The state of each recipe's builds for the rest of the extension (the status bar, the tree): building
 * with its current step, succeeded with the image, failed with exit code and message, cancelled. Fed
 * by the build events, never by reading the terminal.
 */
export class BuildTracker implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<BuildChange>();
  readonly onDidChange = this.emitter.event;
  private readonly events = new vscode.EventEmitter<BuildEventOf>();
  /** Each build event as it comes (the Test Explorer reports the `check` events). */
  readonly onDidEvent = this.events.event;
  private readonly states = new Map<string, BuildState>();
  private readonly terminals = new Map<string, vscode.Terminal>();

  /** The last known state of a recipe's build (undefined: none since VS Code started). */
  get(recipe: string): BuildState | undefined {
    return this.states.get(recipe);
  }

  /** The builds running now, oldest first, with their terminals. */
  get running(): readonly { readonly recipe: string; readonly state: BuildState; readonly terminal?: vscode.Terminal }[] {
    return [...this.states].filter(([, s]) => s.state === 'building')
      .map(([recipe, state]) => ({ recipe, state, ...(this.terminals.has(recipe) && { terminal: this.terminals.get(recipe)! }) }));
  }

  /** A build of `recipe` starts; the feed carries its events and its end. A later build of the same recipe takes over. */
  begin(recipe: string): BuildFeed {
    const token = {};
    this.owners.set(recipe, token);
    this.terminals.delete(recipe);
    const mine = (): boolean => this.owners.get(recipe) === token;
    const set = (s: BuildState, started = false): void => {
      this.states.delete(recipe); // re-inserted last: `running` stays oldest first
      this.states.set(recipe, s);
      this.emitter.fire({ recipe, state: s, ...(started && { started: true as const }) });
    };
    set(BUILD_STARTED, true);
    return {
      terminal: (t) => { if (mine()) this.terminals.set(recipe, t); },
      event: (e) => {
        const s = this.states.get(recipe);
        if (!mine() || !s) return;
        const n = nextBuildState(s, e);
        if (n !== s) set(n);
        this.events.fire({ recipe, event: e });
      },
      ended: (code, cancelled) => {
        const s = this.states.get(recipe);
        if (!mine() || !s) return;
        this.terminals.delete(recipe);
        set(endBuildState(s, code, cancelled));
      },
    };
  }

  private readonly owners = new Map<string, object>();

  dispose(): void {
    this.emitter.dispose();
    this.events.dispose();
  }
}
