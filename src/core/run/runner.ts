import { spawnSync } from 'node:child_process';
import { stepCommandLine } from '../build/script';
import type { InProcessAction, Step } from '../build/types';
import { mountsUnder } from './mounts';
import { runProcess } from './process';

export type Phase = 'main' | 'cleanup';
export type Outcome = 'succeeded' | 'failed' | 'cancelled';

/** What a face shows: the CLI prints these, the VS Code pseudoterminal is fed the same. */
export type RunEvent =
  | {
    readonly type: 'step-started'; readonly step: Step; readonly phase: Phase;
    /** 1-based position among the main steps (cleanups count on their own). */
    readonly index: number; readonly total: number;
    /** `$ …` without the `$`: the argv as the exported script has it, or what the in-process step does. */
    readonly commandLine: string;
  }
  | { readonly type: 'output'; readonly step: Step; readonly phase: Phase; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | {
    readonly type: 'step-ended'; readonly step: Step; readonly phase: Phase; readonly outcome: Outcome;
    /** Exit code of the process; 0 or 1 for an in-process step; null when a signal ended it. */
    readonly exitCode: number | null; readonly signal?: string; readonly error?: string; readonly durationMs: number;
  }
  | { readonly type: 'run-ended'; readonly result: RunResult };

export interface RunResult {
  readonly outcome: Outcome;
  readonly failedStep?: Step;
  /** Why the failed step failed, in words. */
  readonly error?: string;
  /** Cleanups that did not succeed. */
  readonly cleanupFailures: readonly Step[];
  /** `unless-kept` cleanups skipped so the work folder stays for a retry. */
  readonly workKept: boolean;
  /** Mount points still under the rootfs after the cleanups (should be none). */
  readonly mountsLeft: readonly string[];
}

export interface InProcessContext {
  readonly signal: AbortSignal;
  readonly output: (text: string) => void;
}
export type InProcessHandler = (step: Step, ctx: InProcessContext) => Promise<void>;

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: RunEvent) => void;
  /** In-process steps; a step without a handler runs its argv (its shell equivalent) instead. */
  readonly handlers?: Partial<Record<InProcessAction, InProcessHandler>>;
  readonly killGraceMs?: number;
  readonly env?: Readonly<Record<string, string>>;
}

/** What the runner needs of a plan. */
export interface Runnable {
  readonly steps: readonly Step[];
  /** Checked for mounts left when the run ends. */
  readonly rootfs?: string;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs steps in order, stopping at the first failure or at cancel, then ALWAYS runs the cleanups
 * the started steps armed (most recent first; each id once), cancel or not.
 */
export async function runPlan(plan: Runnable, opts: RunOptions = {}): Promise<RunResult> {
  const emit = (e: RunEvent): void => { try { opts.onEvent?.(e); } catch { /* a face's bug must not break the cleanup */ } };
  const signal = opts.signal ?? new AbortController().signal;
  const armed: Step[] = [];
  const total = plan.steps.length;
  let group: number | undefined;
  let keep = false;
  const cleaned = new Set<string>();
  // If the process exits mid-run (a second Ctrl-C, process.exit), nothing async runs any more: kill the
  // running step's group and run the cleanups not yet done synchronously, so mounts and work folders go anyway.
  const onExit = (): void => {
    if (group !== undefined) { try { process.kill(-group, 'SIGKILL'); } catch { /* gone */ } }
    for (const c of armed) {
      if (cleaned.has(c.id) || c.argv.length === 0 || (c.when === 'unless-kept' && keep)) continue;
      spawnSync(c.argv[0]!, c.argv.slice(1), { stdio: 'ignore', timeout: 60_000, ...(opts.env && { env: { ...process.env, ...opts.env } }) });
    }
  };
  process.on('exit', onExit);
  let outcome: Outcome = 'succeeded';
  let failedStep: Step | undefined;
  let error: string | undefined;

  const runOne = async (step: Step, phase: Phase, index: number, stepSignal: AbortSignal): Promise<{ outcome: Outcome; error?: string }> => {
    const handler = step.inProcess ? opts.handlers?.[step.inProcess] : undefined;
    const commandLine = step.argv.length === 0 ? `# ${step.title}: in-process`
      : handler ? `# through the engine API; the exported script runs: ${stepCommandLine(step.argv)}` : stepCommandLine(step.argv);
    emit({ type: 'step-started', step, phase, index, total: phase === 'main' ? total : armed.length, commandLine });
    const started = Date.now();
    const ended = (o: Outcome, exitCode: number | null, extra: { signal?: string; error?: string } = {}): { outcome: Outcome; error?: string } => {
      emit({ type: 'step-ended', step, phase, outcome: o, exitCode, ...extra, durationMs: Date.now() - started });
      return { outcome: o, ...(extra.error !== undefined && { error: extra.error }) };
    };
    if (handler) {
      try {
        await handler(step, { signal: stepSignal, output: (text) => emit({ type: 'output', step, phase, stream: 'stdout', text }) });
        if (stepSignal.aborted) return ended('cancelled', 1, { error: 'cancelled' });
        return ended('succeeded', 0);
      } catch (e) {
        return stepSignal.aborted ? ended('cancelled', 1, { error: 'cancelled' }) : ended('failed', 1, { error: message(e) });
      }
    }
    if (step.argv.length === 0) return ended('failed', 1, { error: `${step.title}: no handler for this in-process step` });
    const r = await runProcess(step.argv, {
      signal: stepSignal, killGraceMs: opts.killGraceMs ?? 5000, ...(opts.env && { env: opts.env }),
      onOutput: (stream, text) => emit({ type: 'output', step, phase, stream, text }),
      onSpawn: (pid) => { group = pid; },
    });
    group = undefined;
    if (r.spawnError !== undefined) return ended('failed', null, { error: r.spawnError });
    if (r.cancelled) return ended('cancelled', r.exitCode, { ...(r.signal && { signal: r.signal }), error: 'cancelled' });
    if (r.exitCode === 0) return ended('succeeded', 0);
    const why = r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
    return ended('failed', r.exitCode, { ...(r.signal && { signal: r.signal }), error: why });
  };

  for (const [i, step] of plan.steps.entries()) {
    if (signal.aborted) { outcome = 'cancelled'; break; }
    for (const c of step.cleanup ?? []) if (!armed.some((a) => a.id === c.id)) armed.unshift(c);
    const r = await runOne(step, 'main', i + 1, signal);
    if (r.outcome !== 'succeeded') {
      outcome = signal.aborted ? 'cancelled' : r.outcome;
      failedStep = step;
      error = r.error;
      break;
    }
  }

  keep = outcome === 'failed' && failedStep?.keepWorkOnFailure === true;
  const cleanupFailures: Step[] = [];
  let workKept = false;
  const never = new AbortController().signal;
  for (const [i, c] of armed.entries()) {
    if (c.when === 'unless-kept' && keep) { workKept = true; continue; }
    const r = await runOne(c, 'cleanup', i + 1, never);
    cleaned.add(c.id);
    if (r.outcome !== 'succeeded') cleanupFailures.push(c);
  }
  process.off('exit', onExit);
  const mountsLeft = plan.rootfs !== undefined ? mountsUnder(plan.rootfs) : [];
  const result: RunResult = {
    outcome, ...(failedStep && { failedStep }), ...(error !== undefined && { error }), cleanupFailures, workKept, mountsLeft,
  };
  emit({ type: 'run-ended', result });
  return result;
}
