/**
 * The inspector's messages, imported by both sides: the extension (src/extension/inspector) and the
 * webview bundle. Plain data only; `v` is bumped when a shape changes. The webview speaks first
 * (`ready`); nothing is posted to it before.
 */
export const PROTOCOL = 1;

export interface ViewPackage {
  readonly name: string;
  readonly version: string;
  readonly bytes: number;
  readonly declaredBytes: number;
  readonly compressedBytes: number;
  readonly freesBytes: number;
  readonly why: string;
  readonly class: string | null;
}

export interface ViewReport {
  readonly source: string;
  readonly os?: { readonly prettyName?: string };
  readonly layers: number;
  readonly compressedBy: string;
  readonly totals: { readonly files: number; readonly bytes: number; readonly compressedBytes: number; readonly removableBytes: number };
  readonly packages: readonly ViewPackage[];
  readonly unowned: readonly { readonly path: string; readonly bytes: number }[];
  readonly classes: readonly { readonly id: string; readonly reason: string; readonly bytes: number }[];
}

/** Two sources side by side: the other one (before) against this one (after). */
export interface ViewComparison {
  readonly before: { readonly source: string; readonly totals: ViewReport['totals']; readonly packages: number };
  readonly after: { readonly source: string; readonly totals: ViewReport['totals']; readonly packages: number };
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Packages whose bytes or version differ, largest change first. */
  readonly packages: readonly { readonly name: string; readonly before?: number; readonly after?: number; readonly delta: number; readonly versionBefore?: string; readonly versionAfter?: string }[];
}

export type ExportFormat = 'json' | 'csv' | 'spdx-json' | 'cyclonedx-json';

/** A column of the package table the rows can be sorted by. */
export type SortKey = 'name' | 'version' | 'bytes' | 'declaredBytes' | 'compressedBytes' | 'freesBytes' | 'why' | 'class';

/**
 * What the page shows, read back from its DOM after each drawing: the extension keeps the last one for
 * `ownbase.inspector.describe` (the real-VS-Code tests cannot reach a webview's DOM otherwise).
 */
export interface RenderedState {
  readonly view: 'progress' | 'report' | 'compare' | 'error';
  /** The column whose header shows the sort, and its direction. */
  readonly sort?: { readonly key: SortKey; readonly descending: boolean };
  /** Rows the filter keeps, of all packages. */
  readonly rows: number;
  readonly packages: number;
  /** The names in the first rows drawn (at most 10), top down. */
  readonly first: readonly string[];
  /** The compressed figure as shown, value and label ("24.5 MB", "compressed (estimate)"). */
  readonly compressed?: { readonly value: string; readonly label: string };
  /** The page's heading, or the error shown. */
  readonly text: string;
  /** Compare mode: the two sides' headings, then the lines under them (the change in total, Added:, Removed:). */
  readonly compare?: { readonly sides: readonly string[]; readonly lines: readonly string[] };
}

/** Extension → webview. */
export type ToView =
  | { readonly v: typeof PROTOCOL; readonly type: 'progress'; readonly source: string }
  | { readonly v: typeof PROTOCOL; readonly type: 'report'; readonly report: ViewReport }
  | { readonly v: typeof PROTOCOL; readonly type: 'error'; readonly message: string }
  | { readonly v: typeof PROTOCOL; readonly type: 'compare'; readonly comparison: ViewComparison }
  /** Sort by a column as a click on its header does (for tests: `ownbase.inspector.sortBy`). */
  | { readonly v: typeof PROTOCOL; readonly type: 'sort'; readonly key: SortKey };

/** Webview → extension. */
export type FromView =
  | { readonly v: typeof PROTOCOL; readonly type: 'ready' }
  | { readonly v: typeof PROTOCOL; readonly type: 'refresh' }
  /** Pick another source and show it side by side with this one. */
  | { readonly v: typeof PROTOCOL; readonly type: 'compare' }
  | { readonly v: typeof PROTOCOL; readonly type: 'export'; readonly format: ExportFormat }
  /** Open the list of a package's files. */
  | { readonly v: typeof PROTOCOL; readonly type: 'files'; readonly name: string }
  /** Remove a package or a class (by id) from the recipe that built the image, as an edit to preview. */
  | { readonly v: typeof PROTOCOL; readonly type: 'remove'; readonly name: string }
  /** What the page drew (after every drawing). */
  | { readonly v: typeof PROTOCOL; readonly type: 'rendered'; readonly state: RenderedState };

const VIEWS: readonly string[] = ['progress', 'report', 'compare', 'error'];

/** Whether a message from the webview has a known shape (the extension checks before use). */
export function isFromView(m: unknown): m is FromView {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as { v?: unknown; type?: unknown; format?: unknown };
  if (x.v !== PROTOCOL) return false;
  if (x.type === 'ready' || x.type === 'refresh' || x.type === 'compare') return true;
  if (x.type === 'rendered') {
    const st = (m as { state?: { view?: unknown; rows?: unknown; first?: unknown } }).state;
    return typeof st === 'object' && st !== null && VIEWS.includes(st.view as string) && typeof st.rows === 'number' && Array.isArray(st.first);
  }
  if (x.type === 'files' || x.type === 'remove') {
    const name = (m as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' && name.length <= 256;
  }
  return x.type === 'export' && (x.format === 'json' || x.format === 'csv' || x.format === 'spdx-json' || x.format === 'cyclonedx-json');
}
