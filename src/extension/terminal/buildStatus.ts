import * as vscode from 'vscode';
import type { BuildState } from '../../core/run/buildState';
import type { Services } from '../services';

export const SHOW_BUILD_TERMINAL = 'ownbase.showBuildTerminal';

/** The status bar's text for a running build: `$(sync~spin) ownbase: [3/7] slim`. */
export function buildStatusText(s: BuildState): string {
  if (s.state !== 'building') return '';
  if (s.cleanup !== undefined) return '$(sync~spin) ownbase: cleaning up';
  return s.step ? `$(sync~spin) ownbase: [${s.step.index}/${s.step.total}] ${s.step.kind}` : '$(sync~spin) ownbase: starting the build';
}

/** A status-bar item that shows the running build's step and hides otherwise; a click shows its terminal. */
export function registerBuildStatus(context: vscode.ExtensionContext, services: Services): void {
  const item = vscode.window.createStatusBarItem('ownbase.build', vscode.StatusBarAlignment.Left, 10);
  item.name = 'ownbase build';
  item.command = SHOW_BUILD_TERMINAL;
  const update = (): void => {
    const newest = services.builds.running.at(-1);
    if (!newest) { item.hide(); return; }
    const more = services.builds.running.length - 1;
    item.text = `${buildStatusText(newest.state)}${more > 0 ? ` (+${more})` : ''}`;
    item.tooltip = `${vscode.workspace.asRelativePath(newest.recipe)}: ${newest.state.state === 'building' ? newest.state.step?.title ?? 'starting' : ''} (click to show the terminal)`;
    item.show();
  };
  context.subscriptions.push(
    item,
    services.builds.onDidChange(update),
    vscode.commands.registerCommand(SHOW_BUILD_TERMINAL, () => { services.builds.running.at(-1)?.terminal?.show(); }),
  );
}
