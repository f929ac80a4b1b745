import type { ViewPackage } from './messages';

export type SortKey = 'name' | 'version' | 'bytes' | 'declaredBytes' | 'compressedBytes' | 'freesBytes' | 'why' | 'class';

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
