import * as vscode from 'vscode';
import type { Logger } from './logger';

/** `make` run once, on the first call; later calls return what it made. */
export function once<T>(make: () => T): () => T {
  let made: { readonly value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/**
 * Runs the starts right after activate() returns instead of inside it: VS Code waits for activate() before it goes
 * on with the window (and reports it as the extension's activation time), and what these make — views, watchers,
 * the status item, the Test Explorer's controller — is not needed before then. Each start is made with `once`, so
 * a command run earlier starts what it needs itself. A start that fails is logged and shown, as activation errors are.
 */
export function startSoon(context: vscode.ExtensionContext, log: Logger, starts: readonly (() => unknown)[]): void {
  const timer = setImmediate(() => {
    const began = performance.now();
    const failed = (err: unknown): void => {
      log.error('starting failed', err);
      void vscode.window.showErrorMessage(`ownbase failed to start: ${err instanceof Error ? err.message : String(err)}`);
    };
    for (const start of starts) {
      try {
        const started = start();
        if (started instanceof Promise) started.catch(failed);
      } catch (err) {
        failed(err);
      }
    }
    log.info(`started the rest in ${(performance.now() - began).toFixed(1)} ms, after activation`);
  });
  context.subscriptions.push({ dispose: () => clearImmediate(timer) });
}
