import { execFile } from 'node:child_process';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { needsMarkdown, type NeedsJson } from '../../core/elf/needs';
import { parseTagName } from '../../core/kernel/imageRef';
import type { Services } from '../services';
import { cliLaunch, currentRuntime } from '../terminal/cliLaunch';
import { runInTerminal } from '../terminal/runInTerminal';
import type { RunRegistry } from '../terminal/runs';
import { BUILD_COMMAND } from '../commands/build';
import { BUILD_IMAGE, CREATE_RECIPE, defaultRecipePath, needsActions } from './actions';

function cliJson(cliPath: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const launch = cliLaunch({ runtime: currentRuntime(), cliPath, args, env: process.env });
  return new Promise((done) => {
    execFile(launch.argv[0]!, launch.argv.slice(1), { env: launch.env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 2) : 0;
      done({ code, stdout, stderr: stderr || (err && typeof (err as { code?: unknown }).code !== 'number' ? err.message : '') });
    });
  });
}

/** Asks which program when none is given, shows what it needs and offers its recipe or its minimal image. */
export async function needsCommand(services: Services, cliPath: string, runs: RunRegistry, uri: unknown): Promise<void> {
  let file = uri instanceof vscode.Uri && uri.scheme === 'file' ? uri.fsPath : undefined;
  if (file === undefined) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, canSelectFolders: false, openLabel: 'What does it need?', title: 'A compiled program (ELF)' });
    file = picked?.[0]?.fsPath;
  }
  if (file === undefined) return;
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `ownbase: reading ${basename(file)}` }, () => cliJson(cliPath, ['needs', file!, '--format', 'json']));
  let json: NeedsJson | undefined;
  try { json = JSON.parse(r.stdout) as NeedsJson; } catch { json = undefined; }
  if (json?.version !== 1) {
    services.log.error(`ownbase needs ${file} exited ${r.code}: ${r.stderr}`);
    void vscode.window.showErrorMessage(`What does ${basename(file)} need? ${r.stderr.trim().split('\n')[0] || `the CLI exited ${r.code}`}`);
    return;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: needsMarkdown(json) });
  await vscode.window.showTextDocument(doc, { preview: true });
  const b = json.binaries[0]!;
  if (b.error !== undefined) { void vscode.window.showErrorMessage(`${basename(file)}: ${b.error}`); return; }
  const summary = b.static ? `${basename(file)} is static: it runs FROM scratch.`
    : `${basename(file)} needs ${b.needed.length} files from ${json.packages.length} packages (${(json.bytes / 1e6).toFixed(2)} MB)${b.missing.length > 0 ? `; ${b.missing.length} missing` : ''}.`;
  const choice = await vscode.window.showInformationMessage(summary, ...needsActions(json, vscode.workspace.isTrusted));
  if (choice === CREATE_RECIPE) { await createRecipe(services, cliPath, file); return; }
  if (choice !== BUILD_IMAGE) return;
  const name = await vscode.window.showInputBox({
    title: 'Image name', value: `${basename(file).toLowerCase().replace(/[^a-z0-9._-]/g, '-')}:minimal`,
    validateInput: (v) => { try { parseTagName(v); return undefined; } catch (e) { return (e as Error).message; } },
  });
  if (name === undefined) return;
  const launch = cliLaunch({ runtime: currentRuntime(), cliPath, args: ['needs', file, '--image', name, '--smoke'], env: process.env });
  const run = await runInTerminal({ name: `ownbase needs ${basename(file)}`, title: `Building ${name}`, launch, cwd: dirname(file), runs });
  if (run.exitCode === 0) void vscode.window.showInformationMessage(`Built ${name}; it ran once.`);
  else if (!run.cancelled) void vscode.window.showErrorMessage(`Building ${name} failed (exit ${run.exitCode}): see the terminal.`);
}

/** Writes the runtime recipe where the user says (the CLI writes it), opens it and offers its build. */
async function createRecipe(services: Services, cliPath: string, file: string): Promise<void> {
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(defaultRecipePath(file)), filters: { 'ownbase recipe': ['ownbase.yaml'] }, title: 'Runtime recipe', saveLabel: 'Create Recipe' });
  if (target === undefined) return;
  const out = target.fsPath.endsWith('.ownbase.yaml') ? target.fsPath : `${target.fsPath.replace(/\.ya?ml$/, '')}.ownbase.yaml`;
  const r = await cliJson(cliPath, ['needs', file, '--recipe', out, '--format', 'json']);
  if (r.code !== 0) {
    services.log.error(`ownbase needs ${file} --recipe ${out} exited ${r.code}: ${r.stderr}`);
    void vscode.window.showErrorMessage(`Creating the runtime recipe failed: ${r.stderr.trim().split('\n').pop() || `the CLI exited ${r.code}`}`);
    return;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(out));
  const BUILD = 'Build';
  if (await vscode.window.showInformationMessage(`Wrote ${basename(out)}: only what ${basename(file)} needs, from a root bootstrapped with its packages.`, BUILD) === BUILD) {
    await vscode.commands.executeCommand(BUILD_COMMAND, vscode.Uri.file(out));
  }
}
