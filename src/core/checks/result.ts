import type { PathSegment } from '../recipe/path';
import type { Check, CheckKind } from './model';

/** The result of one check: what was expected and what was found, in words a test report shows. */
export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  readonly id: string;
  readonly kind: CheckKind;
  readonly title: string;
  readonly path: readonly PathSegment[];
  readonly status: CheckStatus;
  /** One paragraph: why it failed or was skipped; for a pass, what was seen. */
  readonly message: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly durationMs: number;
}

/** What `ownbase test` and a build report: every check of one image or rootfs. */
export interface CheckReport {
  /** `"v": 1`: the JSON form of `ownbase test --format json` is versioned like the build events. */
  readonly v: 1;
  /** The image reference or rootfs folder checked. */
  readonly target: string;
  readonly driver: 'engine' | 'rootfs';
  readonly recipe?: string;
  readonly results: readonly CheckResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly durationMs: number;
}

export function resultOf(check: Check, status: CheckStatus, message: string, durationMs: number,
  detail: { expected?: string; actual?: string } = {}): CheckResult {
  return {
    id: check.id, kind: check.kind, title: check.title, path: check.path, status, message, durationMs,
    ...(detail.expected !== undefined && { expected: detail.expected }), ...(detail.actual !== undefined && { actual: detail.actual }),
  };
}

export function reportOf(target: string, driver: CheckReport['driver'], results: readonly CheckResult[], durationMs: number,
  recipe?: string): CheckReport {
  const count = (s: CheckStatus): number => results.filter((r) => r.status === s).length;
  return {
    v: 1, target, driver, ...(recipe !== undefined && { recipe }), results,
    passed: count('passed'), failed: count('failed'), skipped: count('skipped'), durationMs,
  };
}
