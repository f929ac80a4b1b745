import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, normalize } from 'node:path';
import * as vscode from 'vscode';
import { findProgram } from '../../core/build/host';
import { CHROOT_RUN } from '../../core/build/scripts';
import { mountsUnder } from '../../core/run/mounts';
import { elevationFor } from '../terminal/cliLaunch';
import { buildSettings } from './buildSettings';
import type { CommandContext } from './context';
import { refuseUntrusted, reportFailure, type Failure, type Refusal } from './outcome';
import { recipeTarget } from './recipeTarget';

const RECIPE_FILE = /\.ownbase\.ya?ml$/;
const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ChrootSession {
  readonly rootfs: string;
  readonly terminal: vscode.Terminal;
  /** The shell's exit code once the terminal closed (undefined when VS Code does not know it). */
  readonly exitCode: number | undefined;
  /** Mount points under the rootfs after the terminal closed, as this machine's mount table has them (should be none). */
  readonly mountsLeft: readonly string[];
}

/** A folder that can be entered: absolute, not /, with an etc/ and a shell. */
export function checkRootfs(dir: string): string {
  if (!isAbsolute(dir)) throw new Error(`${dir} is not an absolute path`);
  const d = normalize(dir).replace(/\/+$/, '');
  if (d === '') throw new Error('/ is the host itself, not a root file system to enter');
  if (!existsSync(d) || !statSync(d).isDirectory()) throw new Error(`${d} is not a folder`);
  if (!existsSync(join(d, 'etc')) || !existsSync(join(d, 'bin', 'sh'))) {
    throw new Error(`${d} is not a root file system (no etc/ or bin/sh): build with ownbase.build.keepRootfs on, or export a container into a folder`);
  }
  return d;
}

/**
 * The argv of an interactive shell inside `rootfs`: in a private mount namespace and its own PID
 * namespace, so /dev, /run and /proc bound by CHROOT_RUN — and every process started inside — end
 * with the shell, even when the terminal is killed.
 */
export function chrootArgv(rootfs: string, elevation: readonly string[] | undefined): string[] {
  const shell = existsSync(join(rootfs, 'bin', 'bash')) ? '/bin/bash' : '/bin/sh';
  return [
    ...(elevation ?? []),
    'unshare', '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child',
    'sh', '-c', CHROOT_RUN, 'sh', rootfs,
    'env', '-i', 'TERM=xterm-256color', 'HOME=/root', 'LANG=C.UTF-8', `PATH=${CHROOT_PATH}`, 'debian_chroot=ownbase',
    shell, '-i',
  ];
}

async function pickRootfs(ctx: CommandContext, recipe: vscode.Uri | undefined): Promise<string | undefined> {
  const kept = recipe ? ctx.kept.list(recipe) : [];
  const browse = { label: '$(folder-opened) Choose a root file system folder…', dir: undefined as string | undefined };
  let choice: { dir: string | undefined } | undefined = browse;
  if (kept.length > 0) {
    choice = await vscode.window.showQuickPick(
      [...kept.map((dir) => ({ label: basename(dir), description: dir, dir })), browse],
      { placeHolder: `Enter which rootfs${recipe ? ` of ${vscode.workspace.asRelativePath(recipe)}` : ''}?` },
    );
  } else if (recipe) {
    const open = await vscode.window.showInformationMessage(
      `No kept rootfs of ${vscode.workspace.asRelativePath(recipe)} yet: turn on ownbase.build.keepRootfs and build it, or choose a folder.`,
      'Choose a Folder…', 'Open Setting',
    );
    if (open === 'Open Setting') void vscode.commands.executeCommand('workbench.action.openSettings', 'ownbase.build.keepRootfs');
    if (open !== 'Choose a Folder…') return undefined;
  }
  if (!choice) return undefined;
  if (choice.dir) return choice.dir;
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Enter Chroot', title: 'A root file system (a kept rootfs or an exported container)' });
  return picked?.[0]?.fsPath;
}

/**
 * An interactive shell inside a rootfs in the integrated terminal (a real pty: a shell needs one).
 * `arg`: a recipe (its kept rootfs) or a folder; `rootfs`: the folder, skipping the pick.
 * Resolves when the terminal closes.
 */
export async function enterChrootCommand(ctx: CommandContext, arg?: unknown, rootfs?: string): Promise<ChrootSession | Refusal | Failure | undefined> {
  const refused = refuseUntrusted('Enter Chroot');
  if (refused) return refused;
  return reportFailure(ctx.services.log, 'enter chroot', async () => {
    let recipe: vscode.Uri | undefined;
    let dir = rootfs;
    if (arg instanceof vscode.Uri) {
      if (RECIPE_FILE.test(arg.path)) recipe = arg;
      else if (dir === undefined) dir = arg.fsPath;
    } else {
      const active = vscode.window.activeTextEditor?.document.uri;
      if (active && RECIPE_FILE.test(active.path)) recipe = active;
    }
    dir ??= await pickRootfs(ctx, recipe);
    if (dir === undefined) return undefined;
    const root = checkRootfs(dir);
    const settings = buildSettings(recipe);
    const argv = chrootArgv(root, elevationFor(process.getuid?.() === 0, settings.elevation));
    const program = argv[0]!;
    const shellPath = isAbsolute(program) ? program : findProgram(program);
    if (!shellPath) throw new Error(`${program} is not installed${program === 'unshare' ? ': apt-get install util-linux' : ''}`);
    const name = `ownbase chroot: ${recipe ? recipeTarget(recipe).stem : basename(root)}`;
    const terminal = vscode.window.createTerminal({ name, shellPath, shellArgs: argv.slice(1), cwd: root, iconPath: new vscode.ThemeIcon('terminal-linux') });
    terminal.show();
    ctx.services.log.info(`enter chroot: ${root}`);
    const exitCode = await new Promise<number | undefined>((resolve) => {
      const sub = vscode.window.onDidCloseTerminal((t) => {
        if (t !== terminal) return;
        sub.dispose();
        resolve(t.exitStatus?.code);
      });
    });
    const mountsLeft = mountsUnder(root);
    if (mountsLeft.length > 0) void vscode.window.showWarningMessage(`ownbase: still mounted under ${root}: ${mountsLeft.join(', ')}`);
    return { rootfs: root, terminal, exitCode, mountsLeft };
  });
}
