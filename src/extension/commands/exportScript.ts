import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { cliLaunch, currentRuntime } from '../terminal/cliLaunch';
import { settingsArgs } from './build';
import { buildSettings } from './buildSettings';
import type { CommandContext } from './context';
import { refuseUntrusted, reportFailure, type Failure, type Refusal } from './outcome';
import { resolveRecipe } from './recipeTarget';

/** Runs a CLI invocation to its end and collects its output (no terminal: `script` only prints). */
function capture(argv: readonly string[], env: Readonly<Record<string, string>>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    const child = spawn(file!, args, { cwd, env: { ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/**
 * `ownbase script RECIPE` with the build settings: the plan Build would run, as a POSIX sh script
 * in an untitled editor.
 */
export async function exportScriptCommand(ctx: CommandContext, arg?: unknown): Promise<vscode.TextDocument | Refusal | Failure | undefined> {
  const refused = refuseUntrusted('Export as Script');
  if (refused) return refused;
  return reportFailure(ctx.services.log, 'export as script', async () => {
    const target = await resolveRecipe(arg);
    if (!target) return undefined;
    const settings = buildSettings(target.uri);
    // Planning needs no root: the script is printed as this user.
    const launch = cliLaunch({
      runtime: currentRuntime(), cliPath: ctx.cliPath, args: ['script', target.arg, ...settingsArgs(settings)], env: process.env,
    });
    const r = await capture(launch.argv, launch.env, target.cwd);
    if (r.code !== 0) {
      throw new Error(`ownbase script ${target.arg} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(0, 6).join(' ') || 'no message'}`);
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'shellscript', content: r.stdout });
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  });
}
