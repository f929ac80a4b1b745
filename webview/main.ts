// The inspector webview: summary figures, a bar chart of the biggest packages and folders, and a sortable,
// filterable package table whose rows are virtualized (5,000 rows stay smooth); a row lists its files, its
// Remove button asks the extension for the recipe edit. Built for the browser (dist/webview.js); every value
// reaches the page through textContent, never through HTML.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { PROTOCOL, type ExportFormat, type FromView, type RenderedState, type ToView, type ViewComparison, type ViewPackage, type ViewReport } from './messages';
import { formatBytes, sortPackages, filterPackages, visibleRange, type SortKey } from './table';

declare function acquireVsCodeApi(): { postMessage(m: FromView): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();
const post = (m: FromView): void => vscode.postMessage(m);

/** Row height of the package table (px): rows are virtualized, only those in view are in the page. */
const ROW = 24;
/** Rows drawn above and below the visible ones, so a scroll does not show blanks. */
const OVERSCAN = 12;

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
  .chart { display: grid; grid-template-columns: minmax(8em, max-content) 1fr max-content; gap: 2px 8px; align-items: center; margin: 8px 0 16px; max-width: 900px; }
  .chart .track { height: 12px; background: var(--vscode-editorWidget-background, transparent); }
  .chart .fill { height: 100%; background: var(--vscode-charts-blue, var(--vscode-progressBar-background)); }
  .chart .fill.group { background: var(--vscode-charts-orange, var(--vscode-progressBar-background)); }
  .chart .num { text-align: right; }
  .scroller { height: 60vh; overflow-y: auto; border: 1px solid var(--vscode-panel-border, transparent); }
  tbody tr { height: ${ROW}px; cursor: pointer; }
  tr.spacer { height: 0; cursor: default; }
  tr.spacer td { padding: 0; border: none; }
  td { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 28em; }
  td.actions { text-align: right; }
  td.actions button, li button { font: inherit; color: var(--vscode-textLink-foreground); background: none; border: none; cursor: pointer; padding: 0 4px; }
  .muted { opacity: 0.7; }
  .sides { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
  .sides h3 { margin: 8px 0; overflow-wrap: anywhere; }
  td.grew { color: var(--vscode-charts-red, var(--vscode-errorForeground)); }
  td.shrank { color: var(--vscode-charts-green, var(--vscode-foreground)); }
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

function figure(value: string, label: string, id?: string): HTMLElement {
  const f = el('div', undefined, 'figure');
  if (id !== undefined) f.dataset['figure'] = id;
  f.append(el('span', value, 'value'), el('span', label, 'label'));
  return f;
}

function button(label: string, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

/** The rows the filter and sort give; the table draws the slice in view (see drawRows). */
let rows: ViewPackage[] = [];

function renderBody(tbody: HTMLTableSectionElement, count: HTMLElement): void {
  if (!report) return;
  rows = sortPackages(filterPackages(report.packages, filter), sortKey, descending);
  count.textContent = `${rows.length} of ${report.packages.length} packages`;
  drawRows(tbody);
  tellRendered('report');
}

/** Tells the extension what the page now shows, read from the page itself (see RenderedState). */
function tellRendered(view: RenderedState['view']): void {
  const sorted = root.querySelector<HTMLElement>('th[aria-sort=ascending], th[aria-sort=descending]');
  const key = COLUMNS.find((c) => c.key === sorted?.dataset['key'])?.key;
  const compressed = root.querySelector<HTMLElement>('[data-figure=compressed]');
  const state: RenderedState = {
    view,
    ...(sorted && key ? { sort: { key, descending: sorted.getAttribute('aria-sort') === 'descending' } } : {}),
    rows: view === 'report' ? rows.length : view === 'compare' ? root.querySelectorAll('tbody tr[data-name]').length : 0,
    packages: view === 'report' ? report?.packages.length ?? 0 : 0,
    first: [...root.querySelectorAll<HTMLElement>('tbody tr[data-name]')].slice(0, 10).map((tr) => tr.dataset['name'] ?? ''),
    ...(compressed ? { compressed: { value: compressed.querySelector('.value')?.textContent ?? '', label: compressed.querySelector('.label')?.textContent ?? '' } } : {}),
    text: root.querySelector('h2, p')?.textContent ?? '',
    ...(view === 'compare' ? { compare: {
      sides: [...root.querySelectorAll('.sides h3')].map((h) => h.textContent ?? ''),
      lines: [...root.querySelectorAll('.lines p')].map((p) => p.textContent ?? ''),
    } } : {}),
  };
  post({ v: PROTOCOL, type: 'rendered', state });
}

function spacer(height: number): HTMLTableRowElement {
  const tr = el('tr', undefined, 'spacer');
  const td = el('td');
  td.colSpan = COLUMNS.length + 1;
  tr.style.height = `${height}px`;
  tr.append(td);
  return tr;
}

function actionButton(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', label);
  b.title = title;
  b.addEventListener('click', (e) => { e.stopPropagation(); onClick(); });
  return b;
}

/** Draws the rows in view of the scroller (plus OVERSCAN), with spacers standing for the others. */
function drawRows(tbody: HTMLTableSectionElement): void {
  const scroller = tbody.closest('.scroller');
  const top = scroller?.scrollTop ?? 0;
  const height = scroller?.clientHeight || 600;
  const { first, last } = visibleRange(top, height, ROW, rows.length, OVERSCAN);
  const frag = document.createDocumentFragment();
  frag.append(spacer(first * ROW));
  for (const p of rows.slice(first, last)) {
    const tr = el('tr');
    tr.dataset['name'] = p.name;
    tr.title = `${p.name}: click to list its files`;
    for (const c of COLUMNS) tr.append(el('td', c.cell(p), c.num ? 'num' : undefined));
    const actions = el('td', undefined, 'actions');
    actions.append(actionButton('Remove', `Remove ${p.name} from the recipe (a preview first)`, () => post({ v: PROTOCOL, type: 'remove', name: p.name })));
    tr.append(actions);
    tr.addEventListener('click', () => post({ v: PROTOCOL, type: 'files', name: p.name }));
    frag.append(tr);
  }
  frag.append(spacer((rows.length - last) * ROW));
  tbody.replaceChildren(frag);
}

/** Horizontal bars of the biggest packages and the biggest folders no package owns. */
function chart(r: ViewReport): HTMLElement {
  const items = [
    ...r.packages.map((p) => ({ label: p.name, bytes: p.bytes, group: false })),
    ...r.unowned.map((u) => ({ label: `${u.path} (no package)`, bytes: u.bytes, group: true })),
  ].sort((a, b) => b.bytes - a.bytes).slice(0, 12);
  const max = Math.max(1, ...items.map((i) => i.bytes));
  const box = el('div', undefined, 'chart');
  box.setAttribute('role', 'img');
  box.setAttribute('aria-label', `The ${items.length} biggest packages and folders by bytes`);
  for (const i of items) {
    const track = el('div', undefined, 'track');
    const fill = el('div', undefined, i.group ? 'fill group' : 'fill');
    fill.style.width = `${((i.bytes / max) * 100).toFixed(1)}%`;
    track.append(fill);
    box.append(el('span', i.label), track, el('span', formatBytes(i.bytes), 'num'));
  }
  return box;
}

function render(): void {
  if (!report) return;
  const r = report;
  const title = el('h2', `${r.source}${r.os?.prettyName ? ` — ${r.os.prettyName}` : ''}`);
  const summary = el('div', undefined, 'summary');
  summary.append(
    figure(formatBytes(r.totals.bytes), `total, ${r.totals.files} files`),
    figure(formatBytes(r.totals.compressedBytes), `compressed (${r.compressedBy})`, 'compressed'),
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
    button('Compare with…', () => post({ v: PROTOCOL, type: 'compare' })),
    button('Export JSON', exportAs('json')), button('Export CSV', exportAs('csv')),
    button('SPDX', exportAs('spdx-json')), button('CycloneDX', exportAs('cyclonedx-json')));
  const scroller = el('div', undefined, 'scroller');
  const table = el('table');
  const head = el('tr');
  const tbody = el('tbody');
  for (const c of COLUMNS) {
    const th = el('th', c.label);
    th.dataset['key'] = c.key;
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
  head.append(el('th', ''));
  const thead = el('thead');
  thead.append(head);
  table.append(thead, tbody);
  scroller.append(table);
  let pending = false;
  scroller.addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; drawRows(tbody); });
  });
  search.addEventListener('input', () => { filter = (search as unknown as { value: string }).value; renderBody(tbody, count); });
  const classes = el('ul');
  for (const c of r.classes) {
    const li = el('li', `${c.id}: ${formatBytes(c.bytes)} — ${c.reason}`);
    li.append(actionButton('Remove from recipe', `Add the remove: entries that drop ${c.id} to the recipe (a preview first)`, () => post({ v: PROTOCOL, type: 'remove', name: c.id })));
    classes.append(li);
  }
  root.replaceChildren(title, summary, chart(r), classes, bar, scroller);
  renderBody(tbody, count);
}

/** Two sources side by side: their totals, what was added and removed, and every package that changed. */
function renderComparison(c: ViewComparison): void {
  const sign = (n: number): string => `${n > 0 ? '+' : n < 0 ? '−' : ''}${formatBytes(Math.abs(n))}`;
  const sides = el('div', undefined, 'sides');
  for (const [label, s] of [['Before', c.before], ['After', c.after]] as const) {
    const col = el('div');
    const summary = el('div', undefined, 'summary');
    summary.append(figure(formatBytes(s.totals.bytes), `total, ${s.totals.files} files`), figure(formatBytes(s.totals.compressedBytes), 'compressed'),
      figure(formatBytes(s.totals.removableBytes), 'not needed'), figure(String(s.packages), 'packages'));
    col.append(el('h3', `${label}: ${s.source}`), summary);
    sides.append(col);
  }
  const delta = c.after.totals.bytes - c.before.totals.bytes;
  const lines = el('div', undefined, 'lines');
  lines.append(
    el('p', `${sign(delta)} in total, ${sign(c.after.totals.compressedBytes - c.before.totals.compressedBytes)} compressed`),
    el('p', `Added: ${c.added.length > 0 ? c.added.join(', ') : 'none'}`),
    el('p', `Removed: ${c.removed.length > 0 ? c.removed.join(', ') : 'none'}`),
  );
  const table = el('table');
  const head = el('tr');
  for (const h of ['Package', 'Before', 'After', 'Change']) head.append(el('th', h));
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  for (const p of c.packages) {
    const tr = el('tr');
    tr.dataset['name'] = p.name;
    const version = (v?: string): string => (v !== undefined && p.versionBefore !== p.versionAfter ? ` (${v})` : '');
    tr.append(el('td', p.name),
      el('td', p.before !== undefined ? `${formatBytes(p.before)}${version(p.versionBefore)}` : '—', 'num'),
      el('td', p.after !== undefined ? `${formatBytes(p.after)}${version(p.versionAfter)}` : '—', 'num'),
      el('td', sign(p.delta), p.delta > 0 ? 'num grew' : p.delta < 0 ? 'num shrank' : 'num'));
    tbody.append(tr);
  }
  table.append(thead, tbody);
  const bar = el('div', undefined, 'bar');
  bar.append(button('Back to this image', () => render()), button('Compare with another…', () => post({ v: PROTOCOL, type: 'compare' })));
  root.replaceChildren(el('h2', 'Compare'), bar, sides, lines, table);
  tellRendered('compare');
}

window.addEventListener('message', (event: MessageEvent<ToView>) => {
  const m = event.data;
  if (typeof m !== 'object' || m === null || m.v !== PROTOCOL) return;
  switch (m.type) {
    case 'progress': {
      const ring = document.createElement('vscode-progress-ring');
      root.replaceChildren(ring, el('p', `Reading ${m.source}…`));
      tellRendered('progress');
      break;
    }
    case 'report': report = m.report; render(); break;
    case 'compare': renderComparison(m.comparison); break;
    case 'error':
      root.replaceChildren(el('p', m.message, 'error'), button('Retry', () => post({ v: PROTOCOL, type: 'refresh' })));
      tellRendered('error');
      break;
    case 'sort': [...root.querySelectorAll<HTMLElement>('thead th')].find((th) => th.dataset['key'] === m.key)?.click(); break;
  }
});

post({ v: PROTOCOL, type: 'ready' });
