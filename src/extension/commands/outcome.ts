import * as vscode from 'vscode';
import type { Logger } from '../logger';

/** A command that would run a process or change the engine, asked for in Restricted Mode. */
export interface Refusal { readonly refused: string }
/** A command that failed before or outside a terminal run; the message was shown. */
export interface Failure { readonly error: string }

const RUNS_AS_ROOT = { why: 'it runs processes as root or changes the Docker engine', trustTo: 'use it' };

/**
 * Refuses in an untrusted workspace, with a message saying why (by default: it runs processes as root or changes
 * the engine) and what trusting the workspace allows; undefined when trusted.
 */
export function refuseUntrusted(action: string, reason: { why: string; trustTo: string } = RUNS_AS_ROOT): Refusal | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  const message = `ownbase: ${action} is disabled in Restricted Mode: ${reason.why}. Trust this workspace to ${reason.trustTo}.`;
  void vscode.window.showErrorMessage(message, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return { refused: message };
}

/** Shows what failed and resolves with it, so a caller (or a test) sees the same message the user does. */
export async function reportFailure<T>(log: Logger, what: string, work: () => Promise<T>): Promise<T | Failure> {
  try {
    return await work();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error(`${what} failed`, err);
    void vscode.window.showErrorMessage(message);
    return { error: message };
  }
}

export const isAbort = (err: unknown): boolean => (err as { name?: unknown } | null)?.name === 'AbortError' || (err as { code?: unknown } | null)?.code === 'ABORT_ERR';
