import * as vscode from 'vscode';
import { recipeCheckItems } from '../../core/checks/locate';
import { RECIPE_GLOB } from '../globs';
import { featuresLoader } from '../featuresModule';
import type { Services } from '../services';
import { once } from '../startSoon';
import { toRange } from '../convert';
import { outcomeOfEvent, outcomeOfResult, type CheckOutcome } from './outcome';

/** Not in the palette: the Test Explorer's recipes and checks with their last results, as data, for tests. */
export const DESCRIBE_TESTS_COMMAND = 'ownbase.testing.describe';
/** Not in the palette: runs the checks of one recipe (a Uri) or of all, as the Test Explorer's Run does. */
export const RUN_TESTS_COMMAND = 'ownbase.testing.run';

export interface DescribedCheck { readonly id: string; readonly label: string; readonly line?: number; readonly state?: 'passed' | 'failed' | 'skipped' | 'errored'; readonly message?: string }
export interface DescribedRecipe { readonly path: string; readonly label: string; readonly error?: string; readonly checks: readonly DescribedCheck[] }

/**
 * The Test Explorer: each workspace recipe a test item, each of its checks (README "Check what an image does") a
 * child at its line. Run runs `ownbase test RECIPE --format json` (the CLI, as a build does) and reports each
 * check: passed, skipped, or failed with its message and expected and actual output at the check's line. A build
 * reports its checks into the same items.
 */
export function registerTesting(context: vscode.ExtensionContext, services: Services): () => unknown {
  const start = once(() => startTesting(context, services));
  context.subscriptions.push(
    vscode.commands.registerCommand(DESCRIBE_TESTS_COMMAND, (): DescribedRecipe[] => start().describe()),
    // The same run for one recipe, from a command (tests, other features): what the Test Explorer's Run does.
    vscode.commands.registerCommand(RUN_TESTS_COMMAND, (uri?: vscode.Uri) => start().runRecipe(uri)),
  );
  return start;
}

/** The controller with its items, handlers and run profile: made after activation, or by the first command. */
function startTesting(context: vscode.ExtensionContext, services: Services): { describe(): DescribedRecipe[]; runRecipe(uri?: vscode.Uri): Promise<void> } {
  const controller = vscode.tests.createTestController('ownbase', 'ownbase checks');
  context.subscriptions.push(controller);
  const cliPath = context.asAbsolutePath('dist/cli.js');
  const features = featuresLoader(context.extensionPath);
  // By recipe and check id: a refresh replaces the items, the last results stay.
  const last = new Map<string, { state: NonNullable<DescribedCheck['state']>; message?: string }>();
  const key = (c: vscode.TestItem): string => `${c.parent?.id ?? ''}#${c.id}`;
  const describe = (): DescribedRecipe[] => [...iterate(controller.items)].map((r) => ({
    path: r.uri?.fsPath ?? r.id, label: r.label, ...(typeof r.error === 'string' && { error: r.error }),
    checks: [...iterate(r.children)].map((c) => ({
      id: c.id, label: c.label, ...(c.range && { line: c.range.start.line + 1 }), ...last.get(key(c)),
    })),
  }));

  const refresh = async (uri: vscode.Uri): Promise<void> => {
    let text: string;
    try { text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)); } catch { controller.items.delete(uri.toString()); return; }
    const item = controller.items.get(uri.toString()) ?? controller.createTestItem(uri.toString(), vscode.workspace.asRelativePath(uri), uri);
    item.range = new vscode.Range(0, 0, 0, 0);
    const { items, error } = recipeCheckItems(text);
    item.error = error;
    // Items that stay keep their identity (a run in progress reports on them); only labels and ranges change.
    item.children.replace(items.map((c) => {
      const child = item.children.get(c.id) ?? controller.createTestItem(c.id, c.title, uri);
      child.label = c.title;
      child.range = toRange(c.range);
      return child;
    }));
    controller.items.add(item);
  };
  const scan = async (): Promise<void> => {
    const uris = await vscode.workspace.findFiles(RECIPE_GLOB, '**/node_modules/**');
    const keep = new Set(uris.map((u) => u.toString()));
    controller.items.forEach((i) => { if (!keep.has(i.id)) controller.items.delete(i.id); });
    await Promise.all(uris.map(refresh));
  };
  controller.resolveHandler = async (item) => { if (!item) await scan(); else if (item.uri) await refresh(item.uri); };
  controller.refreshHandler = () => scan();
  context.subscriptions.push(
    services.recipes.onDidChange(() => void scan()),
    vscode.workspace.onDidSaveTextDocument((d) => { if (controller.items.get(d.uri.toString())) void refresh(d.uri); }),
  );

  // One check's outcome into a run, the same for a Run from the Test Explorer and a build's `check` events.
  const report = (testRun: vscode.TestRun, c: vscode.TestItem, o: CheckOutcome | undefined): void => {
    if (!o) { testRun.skipped(c); last.set(key(c), { state: 'skipped' }); return; }
    last.set(key(c), { state: o.state, message: o.message });
    if (o.state === 'passed') testRun.passed(c, o.durationMs);
    else if (o.state === 'skipped') testRun.skipped(c);
    else {
      const message = o.expected !== undefined && o.actual !== undefined
        ? vscode.TestMessage.diff(o.message, o.expected, o.actual) : new vscode.TestMessage(o.message);
      if (c.uri && c.range) message.location = new vscode.Location(c.uri, c.range);
      testRun.failed(c, message, o.durationMs);
    }
  };

  // A build runs the recipe's checks after it (src/cli/buildChecks.ts): its `check` events become a test run of
  // the recipe's items, opened at the first one and ended with the build; a check it did not report is skipped.
  const fromBuilds = new Map<string, Promise<{ run: vscode.TestRun; pending: Map<string, vscode.TestItem> } | undefined>>();
  const openBuildRun = async (recipe: string): Promise<{ run: vscode.TestRun; pending: Map<string, vscode.TestItem> } | undefined> => {
    const uri = vscode.Uri.file(recipe);
    if (!controller.items.get(uri.toString())) await refresh(uri);
    const item = controller.items.get(uri.toString());
    if (!item) return undefined;
    const testRun = controller.createTestRun(new vscode.TestRunRequest([item]), `build of ${item.label}`);
    const pending = new Map([...iterate(item.children)].map((c) => [c.id, c]));
    for (const c of pending.values()) { testRun.started(c); last.delete(key(c)); }
    return { run: testRun, pending };
  };
  const endBuildRun = (recipe: string): void => {
    const open = fromBuilds.get(recipe);
    fromBuilds.delete(recipe);
    void open?.then((b) => {
      if (!b) return;
      for (const c of b.pending.values()) report(b.run, c, undefined);
      b.run.end();
    });
  };
  context.subscriptions.push(
    services.builds.onDidEvent(({ recipe, event }) => {
      const outcome = outcomeOfEvent(event);
      if (!outcome) return;
      let open = fromBuilds.get(recipe);
      if (!open) { open = openBuildRun(recipe); fromBuilds.set(recipe, open); }
      void open.then((b) => {
        const c = b?.pending.get(outcome.id);
        if (!b || !c) return;
        b.pending.delete(outcome.id);
        report(b.run, c, outcome);
      });
    }),
    // The build ended, or a new build of the recipe took over from the one that was reporting.
    services.builds.onDidChange(({ recipe, state, started }) => { if (state.state !== 'building' || started) endBuildRun(recipe); }),
  );

  const run = async (request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> => {
    const testRun = controller.createTestRun(request);
    // A request for some checks runs their recipe's `ownbase test` once and reports only those checks.
    const byRecipe = new Map<string, { recipe: vscode.TestItem; only?: Set<string> }>();
    const wanted = request.include ?? [...iterate(controller.items)];
    for (const item of wanted) {
      const recipe = item.parent ?? item;
      const entry = byRecipe.get(recipe.id) ?? { recipe };
      if (item.parent) (entry.only ??= new Set()).add(item.id); else delete entry.only;
      byRecipe.set(recipe.id, entry);
    }
    for (const { recipe, only } of byRecipe.values()) {
      if (token.isCancellationRequested) break;
      const children = [...iterate(recipe.children)].filter((c) => !only || only.has(c.id));
      for (const c of children) { testRun.started(c); last.delete(key(c)); }
      // A recipe names the image its checks run: in Restricted Mode nothing from the workspace is run.
      const outcome = vscode.workspace.isTrusted ? await features().runRecipeChecks(recipe.uri!, cliPath, services.log, token)
        : { error: 'Restricted Mode: trust this workspace to run its checks.' };
      if ('error' in outcome) services.log.warn(`checks of ${recipe.label}: ${outcome.error}`);
      if ('error' in outcome) {
        const message = new vscode.TestMessage(outcome.error);
        for (const c of children) { testRun.errored(c, message); last.set(key(c), { state: 'errored', message: outcome.error }); }
        continue;
      }
      for (const c of children) {
        const r = outcome.report.results.find((x) => x.id === c.id);
        report(testRun, c, r && outcomeOfResult(r));
      }
    }
    testRun.end();
    services.log.info(`checks: ${[...byRecipe.values()].map((r) => r.recipe.label).join(', ')} run`);
  };
  context.subscriptions.push(controller.createRunProfile('Run checks', vscode.TestRunProfileKind.Run, run, true));
  const runRecipe = async (uri?: vscode.Uri): Promise<void> => {
    if (controller.items.size === 0) await scan();
    const items = uri ? [controller.items.get(uri.toString())].filter((i): i is vscode.TestItem => i !== undefined) : undefined;
    const cancel = new vscode.CancellationTokenSource();
    try { await run(new vscode.TestRunRequest(items), cancel.token); } finally { cancel.dispose(); }
  };
  return { describe, runRecipe };
}

function* iterate(collection: vscode.TestItemCollection): Generator<vscode.TestItem> {
  const all: vscode.TestItem[] = [];
  collection.forEach((i) => all.push(i));
  yield* all;
}
