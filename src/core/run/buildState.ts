import type { BuildErrorCode, BuildEvent, ErrorEvent, ResultEvent } from './events';

/** The step a running build is at, for a status bar or a tree item. */
export interface CurrentStep {
  readonly index: number;
  readonly total: number;
  readonly kind: string;
  readonly title: string;
}

/** What a face knows of one recipe's build, from its events and its exit. */
export type BuildState =
  | {
    readonly state: 'building'; readonly step?: CurrentStep;
    /** The cleanup running now (after the main steps, or after a failure or cancel). */
    readonly cleanup?: string;
    readonly result?: ResultEvent; readonly error?: ErrorEvent;
  }
  | {
    readonly state: 'succeeded'; readonly image: string; readonly id?: string; readonly archive?: string;
    readonly size: number; readonly layerGzipSize: number; readonly seconds: number;
  }
  | { readonly state: 'failed'; readonly exitCode: number; readonly message: string; readonly code?: BuildErrorCode; readonly step?: string }
  | { readonly state: 'cancelled'; readonly exitCode: number };

export const BUILD_STARTED: BuildState = { state: 'building' };

/** The state after one more event of a running build. */
export function nextBuildState(s: BuildState, e: BuildEvent): BuildState {
  if (s.state !== 'building') return s;
  switch (e.type) {
    case 'step-start': {
      const { cleanup: _, ...rest } = s;
      return e.phase === 'main'
        ? { ...rest, step: { index: e.index, total: e.total, kind: e.kind, title: e.title } }
        : { ...s, cleanup: e.title };
    }
    case 'result': return { ...s, result: e };
    case 'error': return { ...s, error: e };
    default: return s;
  }
}

/**
 * The state once the build's process ended. Exit 0 with a result: succeeded; a cancel (asked for, or
 * the CLI's 130 / `cancelled` error): cancelled; anything else failed, with the error event's message
 * (or the exit code when the CLI could say nothing, e.g. sudo refused).
 */
export function endBuildState(s: BuildState, exitCode: number, cancelRequested: boolean): BuildState {
  if (s.state !== 'building') return s;
  if (exitCode === 0 && s.result) {
    const r = s.result;
    return {
      state: 'succeeded', image: r.tag, size: r.size, layerGzipSize: r.layerGzipSize, seconds: r.seconds,
      ...(r.id !== undefined && { id: r.id }), ...(r.archive !== undefined && { archive: r.archive }),
    };
  }
  if (cancelRequested || exitCode === 130 || s.error?.code === 'cancelled') return { state: 'cancelled', exitCode };
  return {
    state: 'failed', exitCode: exitCode === 0 ? 1 : exitCode,
    message: s.error?.message ?? (exitCode === 0 ? 'the build reported no result' : `exit code ${exitCode}`),
    ...(s.error && { code: s.error.code }), ...(s.error?.step !== undefined && { step: s.error.step }),
  };
}
