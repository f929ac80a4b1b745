import * as vscode from 'vscode';
import type { CheckReport, CheckResult } from '../../core/checks/result';
import { startProcess } from '../../core/run/process';
import type { Logger } from '../logger';
import { cliLaunch, currentRuntime } from '../terminal/cliLaunch';

/** The JSON `ownbase test --format json` prints: the report, each result with its recipe line. */
export type Report = CheckReport & { readonly results: readonly (CheckResult & { readonly line?: number })[] };

/** `ownbase test RECIPE --format json` (the CLI, as a build runs it): its report, or why there is none. */
export async function runRecipeChecks(uri: vscode.Uri, cliPath: string, log: Pick<Logger, 'info'>, token: vscode.CancellationToken): Promise<{ report: Report } | { error: string }> {
  const dockerHost = vscode.workspace.getConfiguration('ownbase', uri).get<string>('docker.host') ?? '';
  const launch = cliLaunch({
    runtime: currentRuntime(), cliPath, args: ['test', uri.fsPath], machineArgs: ['--format', 'json'], env: process.env,
    ...(dockerHost !== '' && { dockerHost }),
  });
  log.info(`checks: ${launch.display}`);
  let stdout = '';
  let stderr = '';
  const abort = new AbortController();
  const cancel = token.onCancellationRequested(() => abort.abort());
  try {
    const p = startProcess(launch.argv, {
      env: launch.env, signal: abort.signal,
      onOutput: (stream, t) => { if (stream === 'stdout') stdout += t; else stderr += t; },
    });
    const exit = await p.exited;
    if (exit.cancelled) return { error: 'cancelled' };
    if (exit.spawnError !== undefined) return { error: `ownbase test could not start: ${exit.spawnError}` };
    try {
      return { report: JSON.parse(stdout) as Report };
    } catch {
      return { error: (stderr.trim() || stdout.trim() || `ownbase test ended with exit ${String(exit.exitCode)}`) };
    }
  } finally {
    cancel.dispose();
  }
}
