import type { Report } from '../../core/inspect/report';
import type { Comparison } from '../../core/inspect/compare';
import type { ViewComparison, ViewReport } from '../../../webview/messages';

/** The report as the webview shows it: without file lists, which can be large. */
export function toView(r: Report): ViewReport {
  return {
    source: r.source, ...(r.os ? { os: { ...(r.os.prettyName ? { prettyName: r.os.prettyName } : {}) } } : {}),
    layers: r.layers, compressedBy: r.compressedBy, totals: r.totals,
    packages: r.packages.map((p) => ({
      name: p.name, version: p.version, bytes: p.bytes, declaredBytes: p.declaredBytes, compressedBytes: p.compressedBytes,
      freesBytes: p.freesBytes, why: p.why, class: p.class,
    })),
    unowned: r.unowned.map((u) => ({ path: u.path, bytes: u.bytes })),
    classes: r.classes.map((c) => ({ id: c.id, reason: c.reason, bytes: c.bytes })),
  };
}

/** A comparison as the webview shows it: `before` is the other source, `after` this one. */
export function comparisonView(c: Comparison, before: Report, after: Report): ViewComparison {
  const side = (r: Report): ViewComparison['before'] => ({ source: r.source, totals: r.totals, packages: r.packages.length });
  return { before: side(before), after: side(after), added: c.added, removed: c.removed, packages: c.packages };
}
