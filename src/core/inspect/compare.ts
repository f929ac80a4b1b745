import type { Report } from './report';

export interface PackageDelta {
  readonly name: string;
  /** Undefined when absent on that side. */
  readonly before?: number;
  readonly after?: number;
  readonly delta: number;
  readonly versionBefore?: string;
  readonly versionAfter?: string;
}

export interface Comparison {
  readonly before: string;
  readonly after: string;
  readonly totals: { readonly bytes: number; readonly compressedBytes: number; readonly files: number; readonly removableBytes: number };
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Every package on either side whose bytes or version differ, largest change first. */
  readonly packages: readonly PackageDelta[];
  /** Unowned folders whose bytes differ. */
  readonly paths: readonly { readonly path: string; readonly delta: number }[];
}

/** What changed from `a` to `b`: totals (b − a), added and removed packages, per-package and per-folder deltas. */
export function compareReports(a: Report, b: Report): Comparison {
  const pa = new Map(a.packages.map((p) => [p.name, p]));
  const pb = new Map(b.packages.map((p) => [p.name, p]));
  const names = [...new Set([...pa.keys(), ...pb.keys()])];
  const packages: PackageDelta[] = [];
  for (const n of names) {
    const x = pa.get(n);
    const y = pb.get(n);
    if (x && y && x.bytes === y.bytes && x.version === y.version) continue;
    packages.push({
      name: n, delta: (y?.bytes ?? 0) - (x?.bytes ?? 0),
      ...(x ? { before: x.bytes, versionBefore: x.version } : {}),
      ...(y ? { after: y.bytes, versionAfter: y.version } : {}),
    });
  }
  packages.sort((p, q) => Math.abs(q.delta) - Math.abs(p.delta) || (p.name < q.name ? -1 : 1));
  const ua = new Map(a.unowned.map((u) => [u.path, u.bytes]));
  const ub = new Map(b.unowned.map((u) => [u.path, u.bytes]));
  const paths = [...new Set([...ua.keys(), ...ub.keys()])]
    .map((path) => ({ path, delta: (ub.get(path) ?? 0) - (ua.get(path) ?? 0) }))
    .filter((d) => d.delta !== 0)
    .sort((p, q) => Math.abs(q.delta) - Math.abs(p.delta) || (p.path < q.path ? -1 : 1));
  return {
    before: a.source, after: b.source,
    totals: {
      bytes: b.totals.bytes - a.totals.bytes, compressedBytes: b.totals.compressedBytes - a.totals.compressedBytes,
      files: b.totals.files - a.totals.files, removableBytes: b.totals.removableBytes - a.totals.removableBytes,
    },
    added: names.filter((n) => !pa.has(n) && pb.has(n)).sort(),
    removed: names.filter((n) => pa.has(n) && !pb.has(n)).sort(),
    packages, paths,
  };
}
