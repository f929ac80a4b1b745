import * as vscode from 'vscode';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
  readonly channel: vscode.LogOutputChannel;
}

export function createLogger(): Logger {
  const channel = vscode.window.createOutputChannel('ownbase', { log: true });
  return {
    channel,
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m, err) => channel.error(err === undefined ? m : `${m}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`),
  };
}
