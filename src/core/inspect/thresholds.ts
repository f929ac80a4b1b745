import { formatBytes } from './formats';
import type { Report } from './report';

/** CI gate limits, in bytes. */
export interface Limits {
  readonly size?: number;
  readonly compressed?: number;
  readonly removable?: number;
  /** Per package name. */
  readonly packages?: ReadonlyMap<string, number>;
}

/** What is over its limit, one sentence each; empty when the report passes. */
export function overLimits(r: Report, limits: Limits): string[] {
  const out: string[] = [];
  const check = (what: string, value: number, limit: number | undefined): void => {
    if (limit !== undefined && value > limit) out.push(`${what} is ${formatBytes(value)} (${value} bytes), over the limit of ${formatBytes(limit)}`);
  };
  check('the total size', r.totals.bytes, limits.size);
  check('the compressed size', r.totals.compressedBytes, limits.compressed);
  check('what a container does not need', r.totals.removableBytes, limits.removable);
  for (const [name, limit] of limits.packages ?? []) {
    const p = r.packages.find((x) => x.name === name);
    if (p) check(`package ${name}`, p.bytes, limit);
  }
  return out;
}
