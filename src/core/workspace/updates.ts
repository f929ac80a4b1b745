import type { Outdated } from '../build/outdated';

/** What "Check for Updates" found for one lock: how many locked packages have newer versions, how many of them security. */
export interface UpdatesCount {
  readonly total: number;
  readonly security: number;
  /** When the archive was read (ms since the epoch). */
  readonly checkedAt: number;
}

/** A check that could not read the lock or the archive: its message, shown instead of a count. */
export interface UpdatesFailure { readonly error: string; readonly checkedAt: number }

export type UpdatesResult = UpdatesCount | UpdatesFailure;

export function countUpdates(found: readonly Outdated[], checkedAt: number): UpdatesCount {
  return { total: found.length, security: found.filter((f) => f.security).length, checkedAt };
}

/** "3 updates (1 security)", "1 update", "up to date", "updates unknown" — the recipe's description and lens. */
export function formatUpdates(result: UpdatesResult): string {
  if ('error' in result) return 'updates unknown';
  if (result.total === 0) return 'up to date';
  const n = `${result.total} update${result.total === 1 ? '' : 's'}`;
  return result.security > 0 ? `${n} (${result.security} security)` : n;
}

/**
 * The last check of each lock, keyed by the lock's content (its SHA-256): a relocked recipe has a new key and so
 * no count until it is checked again, and an unchanged lock keeps its count across refreshes. Nothing here reads
 * the network; the caller checks on demand and stores the result.
 */
export class UpdatesCache {
  private readonly byLock = new Map<string, UpdatesResult>();

  get(lockSha256: string): UpdatesResult | undefined { return this.byLock.get(lockSha256); }

  set(lockSha256: string, result: UpdatesResult): void { this.byLock.set(lockSha256, result); }
}
