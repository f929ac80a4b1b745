import type { CheckResult } from '../../core/checks/result';
import type { BuildEvent, CheckEvent } from '../../core/run/events';

/** What the Test Explorer shows for one check, whether `ownbase test` (a Run) or a build reported it. */
export interface CheckOutcome {
  readonly id: string;
  readonly state: 'passed' | 'failed' | 'skipped';
  readonly message: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly durationMs: number;
}

/** A result of `ownbase test --format json`, as the Test Explorer reports it. */
export function outcomeOfResult(r: CheckResult): CheckOutcome {
  return {
    id: r.id, state: r.status, message: r.message, durationMs: r.durationMs,
    ...(r.expected !== undefined && { expected: r.expected }), ...(r.actual !== undefined && { actual: r.actual }),
  };
}

/** A build's `check` event as the same outcome; other events are no check (undefined). */
export function outcomeOfEvent(e: BuildEvent): CheckOutcome | undefined {
  if (e.type !== 'check') return undefined;
  const c: CheckEvent = e;
  return {
    id: c.id, state: c.status, message: c.message, durationMs: Math.round(c.seconds * 1000),
    ...(c.expected !== undefined && { expected: c.expected }), ...(c.actual !== undefined && { actual: c.actual }),
  };
}
