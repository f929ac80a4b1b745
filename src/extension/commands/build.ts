import { resolve } from 'node:path';
import * as vscode from 'vscode';
import { parseTagName } from '../../core/kernel/imageRef';
import { BUILD_STARTED, endBuildState, type BuildState } from '../../core/run/buildState';
import { cliLaunch, currentRuntime, elevationFor } from '../terminal/cliLaunch';
import { runInTerminal, type TerminalRunResult } from '../terminal/runInTerminal';
import { buildSettings, engineEnvFor, type BuildSettings } from './buildSettings';
import type { CommandContext } from './context';
import { refuseUntrusted, reportFailure, type Failure, type Refusal } from './outcome';
import { resolveRecipe, type RecipeTarget } from './recipeTarget';

export const BUILD_COMMAND = 'ownbase.build';

/** Options a caller (another extension, a test) may pass after the recipe. */
export interface BuildOptions {
  /** Build under this name instead of the recipe's `image` (`--tag`). */
  readonly tag?: string;
  /** Build even when an image of the same inputs exists (`--force`): Rebuild in the Owned Bases view. */
  readonly force?: boolean;
}

export interface BuildResult extends TerminalRunResult {
  readonly recipe: string;
  /** Where the rootfs was kept (`ownbase.build.keepRootfs`), when the build succeeded. */
  readonly rootfs?: string;
  /** How the build ended, as the BuildTracker has it. */
  readonly state: BuildState;
}

/** The kept rootfs of a build: under the work folder setting, else /var/tmp (not /dev/shm: it would hold RAM). */
function keptRootfsDir(target: RecipeTarget, settings: BuildSettings): string {
  const base = settings.workDir !== undefined ? resolve(target.cwd, settings.workDir) : '/var/tmp';
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `${base}/ownbase-rootfs/${target.stem.replace(/[^A-Za-z0-9._-]+/g, '-')}-${stamp}`;
}

/** The CLI options the settings stand for; `script` and `build` get the same ones. */
export function settingsArgs(settings: BuildSettings): string[] {
  return [
    ...(settings.builder ? ['--builder', settings.builder] : []),
    ...(settings.workDir !== undefined ? ['--workdir', settings.workDir] : []),
    ...(settings.cacheDir !== undefined ? ['--cache-dir', settings.cacheDir] : []),
  ];
}

/** `ownbase build RECIPE` in the integrated terminal, elevated when VS Code does not run as root. */
export async function buildCommand(ctx: CommandContext, arg?: unknown, options?: BuildOptions): Promise<BuildResult | Refusal | Failure | undefined> {
  const refused = refuseUntrusted('Build');
  if (refused) return refused;
  return reportFailure(ctx.services.log, 'build', async () => {
    const target = await resolveRecipe(arg);
    if (!target) return undefined;
    if (options?.tag !== undefined) parseTagName(options.tag);
    const settings = buildSettings(target.uri);
    const rootfs = settings.keepRootfs ? keptRootfsDir(target, settings) : undefined;
    const args = [
      'build', target.arg, ...(options?.tag !== undefined ? ['--tag', options.tag] : []), ...(options?.force === true ? ['--force'] : []),
      ...settingsArgs(settings), ...(rootfs !== undefined ? ['--keep-rootfs', rootfs] : []),
    ];
    const launch = cliLaunch({
      runtime: currentRuntime(), cliPath: ctx.cliPath, args, machineArgs: ['--progress', 'json'], env: process.env,
      elevation: elevationFor(process.getuid?.() === 0, settings.elevation), engineEnv: engineEnvFor(target.uri),
    });
    ctx.services.log.info(`build: ${launch.display} (in ${target.cwd})`);
    const feed = ctx.services.builds.begin(target.uri.fsPath);
    let run: TerminalRunResult;
    try {
      run = await runInTerminal({
        name: `ownbase build: ${target.stem}`,
        title: `ownbase: building ${options?.tag ?? target.arg}`,
        launch, cwd: target.cwd, runs: ctx.runs, onEvent: feed.event, onTerminal: feed.terminal,
      });
    } catch (e) {
      feed.ended(127, false);
      throw e;
    }
    feed.ended(run.exitCode, run.cancelled);
    ctx.services.log.info(`build of ${target.arg} ended with exit code ${run.exitCode}${run.cancelled ? ' (cancelled)' : ''}`);
    if (run.exitCode === 0 && rootfs !== undefined) await ctx.kept.add(target.uri, rootfs);
    announce(run, target);
    return {
      ...run, recipe: target.uri.fsPath, state: ctx.services.builds.get(target.uri.fsPath) ?? endBuildState(BUILD_STARTED, run.exitCode, run.cancelled),
      ...(run.exitCode === 0 && rootfs !== undefined && { rootfs }),
    };
  });
}

function announce(run: TerminalRunResult, target: RecipeTarget): void {
  const show = (choice: string | undefined): void => { if (choice) run.terminal.show(); };
  if (run.exitCode === 0) {
    void vscode.window.showInformationMessage(`ownbase: built ${run.image ?? target.arg}`, 'Show Terminal').then(show);
  } else if (run.cancelled) {
    void vscode.window.showInformationMessage(`ownbase: build of ${target.arg} cancelled (exit ${run.exitCode}); its cleanup ran in the terminal`, 'Show Terminal').then(show);
  } else {
    // The CLI's error event says why; without one (sudo refused, the CLI could not start) the terminal does.
    const why = run.error ? `: ${run.error.message}` : ': see the terminal';
    void vscode.window.showErrorMessage(`ownbase: build of ${target.arg} failed (exit ${run.exitCode})${why}`, 'Show Terminal').then(show);
  }
}

/** What the notification's Cancel does, for the run in progress (or the one the user picks). */
export async function cancelBuildCommand(ctx: CommandContext): Promise<boolean> {
  const active = ctx.runs.active;
  if (active.length === 0) {
    void vscode.window.showInformationMessage('ownbase: no build is running');
    return false;
  }
  const run = active.length === 1 ? active[0] : (await vscode.window.showQuickPick(
    active.map((r) => ({ label: r.name, run: r })), { placeHolder: 'Cancel which run?' },
  ))?.run;
  if (!run) return false;
  run.cancel('Cancel Build');
  return true;
}
