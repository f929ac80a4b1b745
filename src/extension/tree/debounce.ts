import type * as vscode from 'vscode';

/** Runs `work` once, `delayMs` after the last of a burst of triggers (a rebuild tags, untags and deletes at once). */
export class Debouncer implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly delayMs: number, private readonly work: () => void) {}

  trigger(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; this.work(); }, this.delayMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
