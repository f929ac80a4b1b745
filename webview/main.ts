// The inspector webview: summary figures and a sortable, filterable package table. Built for the browser
// (dist/webview.js); every value reaches the page through textContent, never through HTML.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { PROTOCOL, type ExportFormat, type FromView, type ToView, type ViewPackage, type ViewReport } from './messages';
import { formatBytes, sortPackages, filterPackages, type SortKey } from './table';

declare function acquireVsCodeApi(): { postMessage(m: FromView): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();
const post = (m: FromView): void => vscode.postMessage(m);

const sheet = new CSSStyleSheet();
sheet.replaceSync(`
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 12px; }
  .summary { display: flex; gap: 24px; flex-wrap: wrap; margin: 12px 0; }
  .figure { display: flex; flex-direction: column; }
  .figure .value { font-size: 1.6em; font-weight: 600; }
  .figure .label { opacity: 0.8; }
  .bar { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th { text-align: left; cursor: pointer; user-select: none; border-bottom: 1px solid var(--vscode-panel-border); padding: 4px 8px; position: sticky; top: 0; background: var(--vscode-editor-background); }
  th[aria-sort=ascending]::after { content: ' ▲'; }
  th[aria-sort=descending]::after { content: ' ▼'; }
  td { padding: 2px 8px; border-bottom: 1px solid var(--vscode-editorGroup-border, transparent); }
  td.num { text-align: right; }
  tr:hover { background: var(--vscode-list-hoverBackground); }
  .error { color: var(--vscode-errorForeground); }
  .muted { opacity: 0.7; }
`);
document.adoptedStyleSheets = [sheet];

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls !== undefined) e.className = cls;
  return e;
};

const root = document.getElementById('root')!;
let report: ViewReport | undefined;
let sortKey: SortKey = 'bytes';
let descending = true;
let filter = '';

const COLUMNS: readonly { key: SortKey; label: string; num: boolean; cell: (p: ViewPackage) => string }[] = [
  { key: 'name', label: 'Package', num: false, cell: (p) => p.name },
  { key: 'version', label: 'Version', num: false, cell: (p) => p.version },
  { key: 'bytes', label: 'Bytes', num: true, cell: (p) => formatBytes(p.bytes) },
  { key: 'declaredBytes', label: 'Declared', num: true, cell: (p) => formatBytes(p.declaredBytes) },
  { key: 'compressedBytes', label: 'Compressed', num: true, cell: (p) => formatBytes(p.compressedBytes) },
  { key: 'freesBytes', label: 'Frees if removed', num: true, cell: (p) => formatBytes(p.freesBytes) },
  { key: 'why', label: 'Why', num: false, cell: (p) => p.why },
  { key: 'class', label: 'Not needed', num: false, cell: (p) => p.class ?? '' },
];

function figure(value: string, label: string): HTMLElement {
  const f = el('div', undefined, 'figure');
  f.append(el('span', value, 'value'), el('span', label, 'label'));
  return f;
}

function button(label: string, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

function renderBody(tbody: HTMLTableSectionElement, count: HTMLElement): void {
  if (!report) return;
  const rows = sortPackages(filterPackages(report.packages, filter), sortKey, descending);
  const frag = document.createDocumentFragment();
  for (const p of rows) {
    const tr = el('tr');
    for (const c of COLUMNS) tr.append(el('td', c.cell(p), c.num ? 'num' : undefined));
    frag.append(tr);
  }
  tbody.replaceChildren(frag);
  count.textContent = `${rows.length} of ${report.packages.length} packages`;
}

function render(): void {
  if (!report) return;
  const r = report;
  const title = el('h2', `${r.source}${r.os?.prettyName ? ` — ${r.os.prettyName}` : ''}`);
  const summary = el('div', undefined, 'summary');
  summary.append(
    figure(formatBytes(r.totals.bytes), `total, ${r.totals.files} files`),
    figure(formatBytes(r.totals.compressedBytes), `compressed (${r.compressedBy})`),
    figure(formatBytes(r.totals.removableBytes), 'not needed in a container'),
    figure(String(r.packages.length), 'packages'),
    figure(String(r.layers), r.layers === 1 ? 'layer' : 'layers'),
  );
  const bar = el('div', undefined, 'bar');
  const search = document.createElement('vscode-textfield');
  search.setAttribute('placeholder', 'Filter packages (name, why, class)');
  search.setAttribute('aria-label', 'Filter packages');
  const count = el('span', '', 'muted');
  const exportAs = (format: ExportFormat) => () => post({ v: PROTOCOL, type: 'export', format });
  bar.append(search, count, button('Refresh', () => post({ v: PROTOCOL, type: 'refresh' })),
    button('Export JSON', exportAs('json')), button('Export CSV', exportAs('csv')),
    button('SPDX', exportAs('spdx-json')), button('CycloneDX', exportAs('cyclonedx-json')));
  const table = el('table');
  const head = el('tr');
  const tbody = el('tbody');
  for (const c of COLUMNS) {
    const th = el('th', c.label);
    th.setAttribute('aria-sort', c.key === sortKey ? (descending ? 'descending' : 'ascending') : 'none');
    th.addEventListener('click', () => {
      if (sortKey === c.key) descending = !descending;
      else { sortKey = c.key; descending = c.num; }
      for (const h of head.children) h.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      renderBody(tbody, count);
    });
    head.append(th);
  }
  const thead = el('thead');
  thead.append(head);
  table.append(thead, tbody);
  search.addEventListener('input', () => { filter = (search as unknown as { value: string }).value; renderBody(tbody, count); });
  const classes = el('ul');
  for (const c of r.classes) classes.append(el('li', `${c.id}: ${formatBytes(c.bytes)} — ${c.reason}`));
  root.replaceChildren(title, summary, classes, bar, table);
  renderBody(tbody, count);
}

window.addEventListener('message', (event: MessageEvent<ToView>) => {
  const m = event.data;
  if (typeof m !== 'object' || m === null || m.v !== PROTOCOL) return;
  switch (m.type) {
    case 'progress': {
      const ring = document.createElement('vscode-progress-ring');
      root.replaceChildren(ring, el('p', `Reading ${m.source}…`));
      break;
    }
    case 'report': report = m.report; render(); break;
    case 'error': root.replaceChildren(el('p', m.message, 'error'), button('Retry', () => post({ v: PROTOCOL, type: 'refresh' }))); break;
  }
});

post({ v: PROTOCOL, type: 'ready' });
