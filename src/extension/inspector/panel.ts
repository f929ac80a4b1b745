import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { resolveEngineEndpoint } from '../../core/engine/endpoint';
import { LABEL_RECIPE_PATH } from '../../core/engine/labels';
import type { InspectSource } from '../../core/inspect/sources';
import type { Report } from '../../core/inspect/report';
import { isFromView, PROTOCOL, type ExportFormat, type RenderedState, type SortKey, type ToView } from '../../../webview/messages';
import type { EngineModule } from '../commands/engineModule';
import type { Logger } from '../logger';
import { inspectorHtml } from './html';
import type { InspectModule } from './module';
import { comparisonView, toView } from './view';

export interface InspectorDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: Logger;
  readonly inspect: () => InspectModule;
  readonly engine: () => EngineModule;
}

const EXT: Record<ExportFormat, string> = { json: 'json', csv: 'csv', 'spdx-json': 'spdx.json', 'cyclonedx-json': 'cdx.json' };

/** One inspector tab for one source: reads it when the page is ready and on Refresh; exports. */
export class InspectorPanel implements vscode.Disposable {
  private report: Report | undefined;
  private running: AbortController | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly panel: vscode.WebviewPanel;
  /** What the page last drew, as it told (see RenderedState); undefined before its first drawing. */
  rendered: RenderedState | undefined;
  disposed = false;

  constructor(
    private readonly deps: InspectorDeps, private readonly source: InspectSource, label: string,
    private readonly pick: () => Promise<{ source: InspectSource; label: string } | undefined>,
  ) {
    const dist = vscode.Uri.joinPath(deps.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel('ownbase.inspector', `Inspect ${label}`, vscode.ViewColumn.Active, {
      enableScripts: true, localResourceRoots: [dist],
    });
    this.panel = panel;
    panel.webview.html = inspectorHtml(panel.webview, vscode.Uri.joinPath(dist, 'webview.js'));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isFromView(m)) { deps.log.warn(`inspector: ignored a message of unknown shape`); return; }
        switch (m.type) {
          case 'ready': if (this.report) void this.post(panel, { v: PROTOCOL, type: 'report', report: toView(this.report) }); else void this.load(panel); break;
          case 'refresh': void this.load(panel); break;
          case 'export': void this.export(m.format); break;
          case 'files': void this.files(m.name); break;
          case 'compare': void this.compare(panel); break;
          case 'remove': void this.removeFromRecipe(m.name); break;
          case 'rendered': this.rendered = m.state; break;
        }
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Sorts the table by a column as a click on its header does; false when the page is not there to take it. */
  sortBy(key: SortKey): Thenable<boolean> {
    return this.disposed ? Promise.resolve(false) : this.post(this.panel, { v: PROTOCOL, type: 'sort', key });
  }

  private post(panel: vscode.WebviewPanel, m: ToView): Thenable<boolean> {
    return panel.webview.postMessage(m);
  }

  private async load(panel: vscode.WebviewPanel): Promise<void> {
    this.running?.abort();
    const ac = new AbortController();
    this.running = ac;
    const core = this.deps.inspect();
    const label = core.describeSource(this.source);
    await this.post(panel, { v: PROTOCOL, type: 'progress', source: label });
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `ownbase: reading ${label}`, cancellable: true },
        async (_p, token) => {
          token.onCancellationRequested(() => ac.abort(new Error('cancelled')));
          return this.read(this.source, ac.signal);
        });
      if (ac.signal.aborted) return;
      this.report = report;
      await this.post(panel, { v: PROTOCOL, type: 'report', report: toView(report) });
    } catch (err) {
      if (ac.signal.aborted) { await this.post(panel, { v: PROTOCOL, type: 'error', message: `Reading ${label} was cancelled.` }); return; }
      const message = err instanceof Error ? err.message : String(err);
      if (!(err instanceof Error && err.name === 'SourceError')) this.deps.log.error(`inspect ${label}`, err);
      await this.post(panel, { v: PROTOCOL, type: 'error', message });
    } finally {
      if (this.running === ac) this.running = undefined;
    }
  }

  /** Reads a source into its report (the estimate of the compressed sizes: fast). */
  private async read(source: InspectSource, signal: AbortSignal): Promise<Report> {
    const core = this.deps.inspect();
    const host = vscode.workspace.getConfiguration('ownbase.docker').get<string>('host') || undefined;
    let docker: ReturnType<EngineModule['connectEngine']> | undefined;
    // One engine for both ways: where it is this machine's and its storage readable (root), an image's layers are read there.
    const endpoint = resolveEngineEndpoint(host);
    const scanned = await core.readSource(source, {
      endpoint,
      docker: () => (docker ??= this.deps.engine().connectEngine(endpoint)),
      explain: (d, e) => this.deps.engine().explainEngineError(d, e),
      signal,
      compressed: 'estimate',
    });
    return core.buildReport(scanned, core.describeSource(source));
  }

  /**
   * Compares with a given source as the page's Compare button does with the one the user picks; false when
   * this tab has no report yet (for the tests: `ownbase.inspector.compareWith`).
   */
  async compareWith(other: { source: InspectSource; label: string }): Promise<boolean> {
    if (this.disposed || !this.report) return false;
    await this.compare(this.panel, other);
    return true;
  }

  /** Picks another source, reads it, and shows it (before) side by side with this one (after). */
  private async compare(panel: vscode.WebviewPanel, given?: { source: InspectSource; label: string }): Promise<void> {
    const after = this.report;
    if (!after) return;
    const other = given ?? await this.pick();
    if (!other) return;
    const core = this.deps.inspect();
    const label = core.describeSource(other.source);
    try {
      const before = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `ownbase: reading ${label}`, cancellable: true },
        async (_p, token) => {
          const ac = new AbortController();
          token.onCancellationRequested(() => ac.abort(new Error('cancelled')));
          return this.read(other.source, ac.signal);
        });
      await this.post(panel, { v: PROTOCOL, type: 'compare', comparison: comparisonView(core.compareReports(before, after), before, after) });
    } catch (err) {
      void vscode.window.showErrorMessage(`ownbase: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async export(format: ExportFormat): Promise<void> {
    const r = this.report;
    if (!r) return;
    const core = this.deps.inspect();
    const target = await vscode.window.showSaveDialog({ saveLabel: 'Export', filters: { [format]: [EXT[format].split('.').pop()!] },
      defaultUri: vscode.Uri.file(`inspect.${EXT[format]}`) });
    if (!target) return;
    const text = format === 'csv' ? core.reportCsv(r)
      : `${JSON.stringify(format === 'json' ? core.reportJson(r) : format === 'spdx-json' ? core.toSpdx(r) : core.toCycloneDx(r), null, 2)}\n`;
    await writeFile(target.fsPath, text);
    void vscode.window.showInformationMessage(`ownbase: wrote ${target.fsPath}`);
  }

  /** A package's files, one path a line, in an untitled document. */
  private async files(name: string): Promise<void> {
    const p = this.report?.packages.find((x) => x.name === name);
    if (!p) return;
    const head = `# ${p.name} ${p.version}: ${p.files} files, ${this.deps.inspect().formatBytes(p.bytes)} (${this.report!.source})\n`;
    const doc = await vscode.workspace.openTextDocument({ content: `${head}${p.paths.join('\n')}\n` });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  /**
   * Removes a package (or a class, by id) from the recipe that built the image (its label names it; else
   * the user picks a recipe of the workspace), as a WorkspaceEdit shown in the refactor preview first.
   */
  private async removeFromRecipe(name: string): Promise<void> {
    const r = this.report;
    if (!r) return;
    const pkg = r.packages.find((p) => p.name === name);
    const cls = pkg ? undefined : r.classes.find((c) => c.id === name);
    if (!pkg && !cls) return;
    const recipe = await this.recipeOf();
    if (!recipe) return;
    const core = this.deps.inspect();
    const doc = await vscode.workspace.openTextDocument(recipe);
    const result = core.recipeRemovalEdit(doc.getText(), { name, remove: pkg ? pkg.paths : cls!.remove });
    if (!result.ok) { void vscode.window.showWarningMessage(`ownbase: cannot remove ${name} from ${vscode.workspace.asRelativePath(recipe)}: ${result.reason}.`); return; }
    const edit = new vscode.WorkspaceEdit();
    const label = pkg ? `Remove ${name} (frees ${core.formatBytes(pkg.freesBytes)})` : `Remove ${name} (${core.formatBytes(cls!.bytes)})`;
    const meta: vscode.WorkspaceEditEntryMetadata = { needsConfirmation: true, label, description: result.summary };
    for (const e of result.edits) {
      edit.replace(recipe, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText, meta);
    }
    await vscode.workspace.applyEdit(edit, { isRefactoring: true });
  }

  /** The recipe the image's label names, found in a workspace folder; else one the user picks. */
  private async recipeOf(): Promise<vscode.Uri | undefined> {
    if (this.source.kind === 'image') {
      try {
        const host = vscode.workspace.getConfiguration('ownbase.docker').get<string>('host') || undefined;
        const info = await this.deps.engine().connectEngine(host).getImage(this.source.ref).inspect();
        const rel = info.Config?.Labels?.[LABEL_RECIPE_PATH];
        for (const folder of rel ? vscode.workspace.workspaceFolders ?? [] : []) {
          const uri = vscode.Uri.joinPath(folder.uri, rel!);
          if (await vscode.workspace.fs.stat(uri).then(() => true, () => false)) return uri;
        }
      } catch (err) {
        this.deps.log.warn(`inspector: the image's recipe label could not be read: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const found = await vscode.workspace.findFiles('**/*.{ownbase.yaml,ownbase.yml}', '**/node_modules/**', 200);
    if (found.length === 0) { void vscode.window.showWarningMessage('ownbase: no recipe (*.ownbase.yaml) in the workspace to remove it from.'); return undefined; }
    const pick = await vscode.window.showQuickPick(found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })), { title: 'Remove it from which recipe?' });
    return pick?.uri;
  }

  dispose(): void {
    this.disposed = true;
    this.running?.abort();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
