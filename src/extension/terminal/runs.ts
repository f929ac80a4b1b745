import * as vscode from 'vscode';

/** Set while a run is in progress: `ownbase.cancelBuild` shows in the palette. */
export const RUNNING_CONTEXT = 'ownbase.buildRunning';

export interface ActiveRun {
  /** The terminal's name. */
  readonly name: string;
  /** What the progress notification's Cancel does. */
  cancel(reason: string): void;
}

/** The runs in progress, for the Cancel Build command and its context key. */
export class RunRegistry implements vscode.Disposable {
  private readonly runs: ActiveRun[] = [];

  add(run: ActiveRun): vscode.Disposable {
    this.runs.push(run);
    this.updateContext();
    return new vscode.Disposable(() => {
      const i = this.runs.indexOf(run);
      if (i >= 0) this.runs.splice(i, 1);
      this.updateContext();
    });
  }

  get active(): readonly ActiveRun[] {
    return [...this.runs];
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, this.runs.length > 0);
  }

  dispose(): void {
    for (const r of [...this.runs]) r.cancel('VS Code is shutting down');
  }
}
