import type { Comparison } from './compare';
import type { Report } from './report';

/** The JSON the CLI prints and the inspector exports (`version: 1`; fields are a contract). */
export function reportJson(r: Report): object {
  return {
    version: 1,
    source: r.source,
    totals: { files: r.totals.files, bytes: r.totals.bytes, compressedBytes: r.totals.compressedBytes, removableBytes: r.totals.removableBytes },
    packages: r.packages.map((p) => ({
      name: p.name, version: p.version, bytes: p.bytes, declaredBytes: p.declaredBytes,
      compressedBytes: p.compressedBytes, freesBytes: p.freesBytes, why: p.why, class: p.class,
    })),
    unowned: r.unowned.map((u) => ({ path: u.path, bytes: u.bytes })),
  };
}

/** The JSON of a comparison: `version: 1` and the comparison itself. */
export function comparisonJson(c: Comparison): object {
  return { version: 1, compare: c };
}

const csvField = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: (string | number | null)[][]): string => rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';

/** One row per package (RFC 4180, CRLF). */
export function reportCsv(r: Report): string {
  return csv([
    ['name', 'version', 'arch', 'bytes', 'declaredBytes', 'compressedBytes', 'freesBytes', 'class', 'why'],
    ...r.packages.map((p) => [p.name, p.version, p.arch, p.bytes, p.declaredBytes, p.compressedBytes, p.freesBytes, p.class, p.why]),
  ]);
}

/** One row per changed package. */
export function comparisonCsv(c: Comparison): string {
  return csv([
    ['name', 'before', 'after', 'delta', 'versionBefore', 'versionAfter'],
    ...c.packages.map((p) => [p.name, p.before ?? null, p.after ?? null, p.delta, p.versionBefore ?? null, p.versionAfter ?? null]),
  ]);
}

/** `12.3 MB` (powers of 1000, as docker shows sizes). */
export function formatBytes(n: number): string {
  const a = Math.abs(n);
  const sign = n < 0 ? '-' : '';
  if (a < 1000) return `${sign}${a} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = a / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${sign}${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${units[u]}`;
}
