import type * as vscode from 'vscode';
import type { Logger } from './logger';

/** Built once in activate() and handed to every feature; no feature keeps global state. */
export interface Services {
  readonly log: Logger;
  readonly context: vscode.ExtensionContext;
}
