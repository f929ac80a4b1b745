import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { InspectSource } from '../../core/inspect/sources';
import type { Report } from '../../core/inspect/report';
import { isFromView, PROTOCOL, type ExportFormat, type ToView } from '../../../webview/messages';
import type { EngineModule } from '../commands/engineModule';
import type { Logger } from '../logger';
import { inspectorHtml } from './html';
import type { InspectModule } from './module';
import { toView } from './view';

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

  constructor(private readonly deps: InspectorDeps, private readonly source: InspectSource, label: string) {
    const dist = vscode.Uri.joinPath(deps.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel('ownbase.inspector', `Inspect ${label}`, vscode.ViewColumn.Active, {
      enableScripts: true, localResourceRoots: [dist],
    });
    panel.webview.html = inspectorHtml(panel.webview, vscode.Uri.joinPath(dist, 'webview.js'));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isFromView(m)) { deps.log.warn(`inspector: ignored a message of unknown shape`); return; }
        switch (m.type) {
          case 'ready': if (this.report) void this.post(panel, { v: PROTOCOL, type: 'report', report: toView(this.report) }); else void this.load(panel); break;
          case 'refresh': void this.load(panel); break;
          case 'export': void this.export(m.format); break;
        }
      }),
      panel.onDidDispose(() => this.dispose()),
    );
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
          const host = vscode.workspace.getConfiguration('ownbase.docker').get<string>('host') || undefined;
          let docker: ReturnType<EngineModule['connectEngine']> | undefined;
          const scanned = await core.readSource(this.source, {
            docker: () => (docker ??= this.deps.engine().connectEngine(host)),
            explain: (d, e) => this.deps.engine().explainEngineError(d, e),
            signal: ac.signal,
          });
          return core.buildReport(scanned, label);
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

  dispose(): void {
    this.running?.abort();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
