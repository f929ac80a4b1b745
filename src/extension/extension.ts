import * as vscode from 'vscode';
import { createLogger } from './logger';
import type { Services } from './services';

export function activate(context: vscode.ExtensionContext): void {
  const started = Date.now();
  const log = createLogger();
  context.subscriptions.push(log.channel);
  const services: Services = { log, context };
  try {
    void services;
    log.info(`activated in ${Date.now() - started} ms`);
  } catch (err) {
    log.error('activation failed', err);
    void vscode.window.showErrorMessage(`ownbase failed to start: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}

export function deactivate(): void {}
