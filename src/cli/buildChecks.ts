import { checkRanges, checksOf, engineTarget, failedTag, keepAsFailed, rootfsTarget, runChecks, type CheckResult, type CheckTarget } from '../core/checks';
import type { BuildEventInit } from '../core/run/events';
import type { Recipe } from '../core/recipe/types';

/** Where the checks run after a build: the imported image, or the rootfs kept by `--keep-rootfs` (no engine). */
export type BuiltSubject = { readonly image: string } | { readonly rootfs: string };

/**
 * The checks of a build (README "Build events"): one `check` event per check of the recipe's `verify:` (builtins
 * included), then, when one failed, the image is kept as `<tag>-failed` (the final tag taken off it) and an `error`
 * event with code `checks` ends the build. Returns whether every check passed.
 */
export async function runBuildChecks(
  recipe: Recipe, recipeText: string | undefined, subject: BuiltSubject, emit: (e: BuildEventInit) => void, signal?: AbortSignal,
): Promise<boolean> {
  const checks = checksOf(recipe);
  const lines = recipeText !== undefined ? checkRanges(recipeText, checks) : new Map();
  let target: CheckTarget;
  try {
    target = 'image' in subject ? await engineTarget(subject.image)
      : rootfsTarget(subject.rootfs, { ...(recipe.config?.user !== undefined && { user: recipe.config.user }), ...(recipe.config?.env && { env: recipe.config.env }) });
  } catch (err) {
    return failed(subject, `the checks could not start: ${(err as Error).message}`, emit);
  }
  let report;
  try {
    report = await runChecks(checks, target, {
      ...(signal && { signal }),
      onResult: (r) => emit(checkEventOf(r, lines.get(r.id)?.start.line)),
    });
  } finally {
    await target.close();
  }
  if (report.failed === 0) return true;
  return failed(subject, `${report.failed} of ${report.results.length} checks failed`, emit);
}

/** One check's result as the build's `check` event (`line0`: its 0-based line in the recipe). */
export function checkEventOf(r: CheckResult, line0?: number): BuildEventInit {
  return {
    type: 'check', id: r.id, title: r.title, status: r.status, message: r.message, seconds: r.durationMs / 1000,
    ...(line0 !== undefined && { line: line0 + 1 }), ...(r.expected !== undefined && { expected: r.expected }), ...(r.actual !== undefined && { actual: r.actual }),
  };
}

async function failed(subject: BuiltSubject, why: string, emit: (e: BuildEventInit) => void): Promise<false> {
  if (!('image' in subject)) {
    emit({ type: 'error', code: 'checks', message: `${why}; the rootfs is at ${subject.rootfs}` });
    return false;
  }
  let kept: string;
  try { kept = await keepAsFailed(subject.image); } catch (err) {
    emit({ type: 'error', code: 'checks', message: `${why}; keeping the image as ${failedTag(subject.image)} failed too: ${(err as Error).message}` });
    return false;
  }
  emit({
    type: 'error', code: 'checks', message: `${why}: the image is kept as ${kept}, not as ${subject.image}`,
    hint: `look inside with: docker run --rm -it --entrypoint /bin/sh ${kept}  (skip the checks with --no-checks)`,
  });
  return false;
}
