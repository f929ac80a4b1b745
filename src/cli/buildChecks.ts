import { checkRanges, checksOf, discardPending, engineTarget, failedTag, keepAsFailed, promote, rootfsTarget, runChecks, type CheckResult, type CheckTarget } from '../core/checks';
import type { BuildEventInit } from '../core/run/events';
import type { Recipe } from '../core/recipe/types';

/**
 * Where the checks run after a build: the image imported under a pending tag (`image`), which becomes `tag` only when
 * they pass; or the rootfs kept by `--keep-rootfs` (no engine).
 */
export type BuiltSubject = { readonly image: string; readonly tag: string } | { readonly rootfs: string };

export type ChecksOutcome = 'passed' | 'failed' | 'cancelled';

/**
 * The checks of a build (README "Build events"): one `check` event per check of the recipe's `verify:` (builtins
 * included). For an image: when all pass it is tagged `tag`; when one fails it is kept as `<tag>-failed`, `tag`
 * stays on the image it had, and an `error` event with code `checks` ends the build; cancelled, it is dropped. On
 * every path the pending tag is gone afterwards.
 */
export async function runBuildChecks(
  recipe: Recipe, recipeText: string | undefined, subject: BuiltSubject, emit: (e: BuildEventInit) => void, signal?: AbortSignal,
): Promise<ChecksOutcome> {
  let settled = false;
  try {
    const outcome = await check(recipe, recipeText, subject, emit, signal);
    settled = true;
    return outcome;
  } finally {
    // Anything but a verdict (cancel, an exception) leaves no pending image behind; after one, it is gone already.
    if ('image' in subject && !settled) await discardPending(subject.image);
  }
}

async function check(
  recipe: Recipe, recipeText: string | undefined, subject: BuiltSubject, emit: (e: BuildEventInit) => void, signal?: AbortSignal,
): Promise<ChecksOutcome> {
  const checks = checksOf(recipe);
  const lines = recipeText !== undefined ? checkRanges(recipeText, checks) : new Map();
  let target: CheckTarget;
  try {
    target = 'image' in subject ? await engineTarget(subject.image)
      : rootfsTarget(subject.rootfs, { ...(recipe.config?.user !== undefined && { user: recipe.config.user }), ...(recipe.config?.env && { env: recipe.config.env }) });
  } catch (err) {
    return failed(subject, `the checks could not start: ${(err as Error).message}`, emit, recipe);
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
  // Cancelled: some checks never ran, so there is no verdict, and no image to keep.
  if (signal?.aborted) {
    if ('image' in subject) await discardPending(subject.image);
    return 'cancelled';
  }
  if (report.failed > 0) return failed(subject, `${report.failed} of ${report.results.length} checks failed`, emit, recipe);
  if ('image' in subject) {
    try { await promote(subject.image, subject.tag); } catch (err) {
      await discardPending(subject.image);
      emit({ type: 'error', code: 'checks', message: `the checks passed, but naming the image ${subject.tag} failed: ${(err as Error).message}` });
      return 'failed';
    }
  }
  return 'passed';
}

/** One check's result as the build's `check` event (`line0`: its 0-based line in the recipe). */
export function checkEventOf(r: CheckResult, line0?: number): BuildEventInit {
  return {
    type: 'check', id: r.id, title: r.title, status: r.status, message: r.message, seconds: r.durationMs / 1000,
    ...(line0 !== undefined && { line: line0 + 1 }), ...(r.expected !== undefined && { expected: r.expected }), ...(r.actual !== undefined && { actual: r.actual }),
  };
}

async function failed(subject: BuiltSubject, why: string, emit: (e: BuildEventInit) => void, recipe: Recipe): Promise<'failed'> {
  if (!('image' in subject)) {
    emit({ type: 'error', code: 'checks', message: `${why}; the rootfs is at ${subject.rootfs}` });
    return 'failed';
  }
  let kept: string;
  try { kept = await keepAsFailed(subject.image, subject.tag); } catch (err) {
    await discardPending(subject.image);
    emit({ type: 'error', code: 'checks', message: `${why}; keeping the image as ${failedTag(subject.tag)} failed too: ${(err as Error).message}` });
    return 'failed';
  }
  emit({
    type: 'error', code: 'checks', message: `${why}: the image is kept as ${kept}, not as ${subject.tag} (left as it was)`,
    // A runtime image has no shell to enter: its files are listed instead.
    hint: recipe.profile === 'runtime' && recipe.runtime?.shell !== true
      ? `list its files with: docker export $(docker create ${kept}) | tar -tv  (skip the checks with --no-checks)`
      : `look inside with: docker run --rm -it --entrypoint /bin/sh ${kept}  (skip the checks with --no-checks)`,
  });
  return 'failed';
}
