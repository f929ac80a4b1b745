import * as vscode from 'vscode';
import { isRemoteEndpoint } from '../../core/engine/endpoint';
import type { Services } from '../services';
import { once } from '../startSoon';
import type { EngineWatcher } from '../tree/engineWatcher';
import { statusView } from './statusText';

export { buildStatusText } from './statusText';

export const SHOW_BUILD_TERMINAL = 'ownbase.showBuildTerminal';
/** The status item's click when no build runs: show the Engine view (and connect again when the engine was unreachable). */
export const SHOW_ENGINE_STATUS = 'ownbase.showEngineStatus';
const ENGINE_VIEW_FOCUS = 'ownbase.engine.focus';
/** The engine is looked up a moment after activation, not during it: loading the engine client would slow activation down. */
const ENGINE_START_DELAY_MS = 1500;

/**
 * One status-bar item: the running build's step (click: its terminal), else the engine — its version, or a
 * warning when it cannot be reached (click: retry and show the Engine view). The item is made by the returned
 * start (after activation); its commands are registered at once.
 */
export function registerBuildStatus(context: vscode.ExtensionContext, services: Services, engine: EngineWatcher): () => unknown {
  let item: vscode.StatusBarItem | undefined;
  const update = (): void => {
    if (!item) return;
    const running = services.builds.running.map((r) => ({ recipe: vscode.workspace.asRelativePath(r.recipe), state: r.state }));
    const s = engine.state;
    const isRemote = s.kind === 'reachable' && isRemoteEndpoint(s.endpoint.host);
    const view = statusView(running, s, isRemote);
    item.text = view.text;
    item.tooltip = view.tooltip;
    item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.command = view.click === 'showTerminal' ? SHOW_BUILD_TERMINAL : SHOW_ENGINE_STATUS;
    item.show();
  };
  const timer = setTimeout(() => engine.start(), ENGINE_START_DELAY_MS);
  context.subscriptions.push(
    { dispose: () => clearTimeout(timer) },
    services.builds.onDidChange(update),
    engine.onDidChange(update),
    vscode.commands.registerCommand(SHOW_BUILD_TERMINAL, () => { services.builds.running.at(-1)?.terminal?.show(); }),
    vscode.commands.registerCommand(SHOW_ENGINE_STATUS, async () => {
      if (engine.state.kind === 'unreachable') void engine.connect();
      await vscode.commands.executeCommand(ENGINE_VIEW_FOCUS);
      return engine.state.kind;
    }),
  );
  return once(() => {
    item = vscode.window.createStatusBarItem('ownbase.status', vscode.StatusBarAlignment.Left, 10);
    item.name = 'ownbase';
    context.subscriptions.push(item);
    update();
  });
}
