import type { SortKey, ViewPackage } from './messages';

export type { SortKey } from './messages';

/** Packages whose name, why or class contains `filter` (case-insensitive); all when empty. */
export function filterPackages(ps: readonly ViewPackage[], filter: string): ViewPackage[] {
  const f = filter.trim().toLowerCase();
  if (f === '') return [...ps];
  return ps.filter((p) => p.name.toLowerCase().includes(f) || p.why.toLowerCase().includes(f) || (p.class ?? '').toLowerCase().includes(f));
}

/** A stable sort by one column; ties by name. */
export function sortPackages(ps: readonly ViewPackage[], key: SortKey, descending: boolean): ViewPackage[] {
  const dir = descending ? -1 : 1;
  return [...ps].sort((a, b) => {
    const x = a[key] ?? '';
    const y = b[key] ?? '';
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c !== 0 ? c * dir : a.name.localeCompare(b.name);
  });
}

/** `12.3 MB` (powers of 1000), as the CLI prints. */
export { formatBytes } from '../src/core/inspect/formats';

/**
 * The rows a virtualized table draws: those in view at `scrollTop` (`height` px tall, rows `row` px)
 * and `overscan` more on each side; `[first, last)` within `count`.
 */
export function visibleRange(scrollTop: number, height: number, row: number, count: number, overscan: number): { first: number; last: number } {
  const first = Math.min(count, Math.max(0, Math.floor(scrollTop / row) - overscan));
  const last = Math.min(count, Math.max(first, Math.ceil((scrollTop + height) / row) + overscan));
  return { first, last };
}
