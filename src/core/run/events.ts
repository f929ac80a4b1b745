import { STEP_KINDS, type Step, type StepKind } from '../build/types';
import type { Outcome, Phase, RunEvent } from './runner';

/**
 * The build protocol: what `ownbase build --progress json` writes to stdout, one JSON object per
 * line, and what every face (the CLI's text, the VS Code terminal, the progress notification, the
 * status bar) is fed. See "Build events" in README.md and ARCHITECTURE.md.
 */
export const BUILD_EVENTS_VERSION = 1;

/** Why a build stopped; stable, for scripts to switch on. */
export const ERROR_CODES = ['usage', 'recipe', 'host', 'plan', 'engine', 'step-failed', 'cancelled', 'cleanup', 'internal', 'checks'] as const;
export type BuildErrorCode = (typeof ERROR_CODES)[number];

/** A step as the plan event lists it: the Step without its cleanups and run-time flags. */
export type PlannedStep = Pick<Step, 'id' | 'kind' | 'title' | 'why' | 'argv' | 'needsRoot'>;

export interface PlanEvent {
  readonly v: 1; readonly type: 'plan';
  /** The recipe, as the user named it (relative to the working directory when inside it). */
  readonly recipe: string;
  /** The final image name. */
  readonly image: string;
  readonly bootstrapTool: string;
  readonly rootfs: string;
  readonly keepRootfs: boolean;
  /** Only an import of an existing rootfs (`--from-rootfs`). */
  readonly fromRootfs: boolean;
  readonly mirror?: string;
  /** Where the mirror comes from: the recipe, this machine's apt sources, or the bootstrap tool's default. */
  readonly mirrorSource: 'recipe' | 'host' | 'default';
  readonly cache?: { readonly dir: string; readonly warm: boolean; readonly reason?: string };
  /** The archive written instead of an import. */
  readonly output?: string;
  readonly steps: readonly PlannedStep[];
}

export interface StepStartEvent {
  readonly v: 1; readonly type: 'step-start';
  readonly id: string; readonly phase: Phase;
  /** 1-based among the main steps (cleanups count on their own). */
  readonly index: number; readonly total: number;
  readonly kind: StepKind; readonly title: string; readonly why: string;
  /** The argv as the exported script has it, or what an in-process step does. */
  readonly commandLine: string;
}

export interface OutputEvent {
  readonly v: 1; readonly type: 'output';
  readonly id: string; readonly phase: Phase; readonly stream: 'stdout' | 'stderr'; readonly text: string;
}

export interface StepEndEvent {
  readonly v: 1; readonly type: 'step-end';
  readonly id: string; readonly phase: Phase; readonly outcome: Outcome;
  /** null when a signal ended the process. */
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly error?: string;
  readonly seconds: number;
}

/** A line for the user that belongs to no step (the engine is not reachable, a mount was left). */
export interface NoteEvent {
  readonly v: 1; readonly type: 'note'; readonly level: 'info' | 'warning'; readonly text: string;
}

/** One check of the recipe's `verify:` section, run on the built image before `result` (see src/core/checks). */
export interface CheckEvent {
  readonly v: 1; readonly type: 'check';
  /** Stable within the recipe: `builtins.apt`, `commands[0]`, `files[2]`, `metadata.user`, `size.max`. */
  readonly id: string;
  readonly title: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly message: string;
  /** 1-based line of the check in the recipe. */
  readonly line?: number;
  readonly expected?: string;
  readonly actual?: string;
  readonly seconds: number;
}

export interface ResultEvent {
  readonly v: 1; readonly type: 'result';
  readonly tag: string;
  readonly seconds: number;
  /** Bytes: the image as `docker images` counts it, or the archive file. */
  readonly size: number;
  /** gzip -6 of the layer, what a registry stores. */
  readonly layerGzipSize: number;
  /** `sha256:…` image ID (an import). */
  readonly id?: string;
  /** `sha256:…` of the (uncompressed) layer, when known. */
  readonly layerDigest?: string;
  /** The archive written (no engine, or `--output`). */
  readonly archive?: string;
  /** The rootfs kept for Enter Chroot (`--keep-rootfs`). */
  readonly keptRootfs?: string;
  /** Packages the update and security suites upgraded (the `ownbase.updates.applied` label); absent when none ran. */
  readonly updatesApplied?: number;
  /** What the update and security suites brought, or why they did not, in words: the build's last line. */
  readonly updates?: string;
  /** Nothing ran: an image built from the same inputs (recipe, lock, plan version) already existed and now carries `tag`. */
  readonly upToDate?: boolean;
  /** The image's `dev.ownbase.inputs.sha256` label (build/inputs.ts). */
  readonly inputsSha256?: string;
}

export interface ErrorEvent {
  readonly v: 1; readonly type: 'error';
  readonly code: BuildErrorCode;
  /** One sentence, without the `ownbase:` prefix. */
  readonly message: string;
  /** The failed step. */
  readonly step?: string;
  /** What to do next (a retry command), shown after the message. */
  readonly hint?: string;
  /** Text printed as is instead of the message (a recipe's diagnostics, compiler style). */
  readonly detail?: string;
}

/**
 * One line of `ownbase build --progress json`. The stream starts with `plan` (unless the build
 * stops before planning) and ends with `result` when the exit status is 0, else with `error`.
 */
export type BuildEvent = PlanEvent | StepStartEvent | OutputEvent | StepEndEvent | NoteEvent | CheckEvent | ResultEvent | ErrorEvent;
export type BuildEventType = BuildEvent['type'];
/** An event without its version field: what producers write. */
export type BuildEventInit = BuildEvent extends infer E ? E extends BuildEvent ? Omit<E, 'v'> : never : never;

// --- the schema: one table, checked field by field --------------------------------------------

type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'integer|null' | 'string[]' | readonly string[] | Shape | readonly [Shape];
interface Shape { readonly [field: string]: readonly [FieldType, 'required' | 'optional'] }

const req = (t: FieldType): readonly [FieldType, 'required'] => [t, 'required'];
const opt = (t: FieldType): readonly [FieldType, 'optional'] => [t, 'optional'];
const PHASES = ['main', 'cleanup'] as const;
const OUTCOMES = ['succeeded', 'failed', 'cancelled'] as const;

const SCHEMA: Readonly<Record<BuildEventType, Shape>> = {
  'plan': {
    recipe: req('string'), image: req('string'), bootstrapTool: req('string'), rootfs: req('string'), keepRootfs: req('boolean'),
    fromRootfs: req('boolean'), mirror: opt('string'), mirrorSource: req(['recipe', 'host', 'default']),
    cache: opt({ dir: req('string'), warm: req('boolean'), reason: opt('string') }), output: opt('string'),
    steps: req([{ id: req('string'), kind: req(STEP_KINDS), title: req('string'), why: req('string'), argv: req('string[]'), needsRoot: req('boolean') }]),
  },
  'step-start': {
    id: req('string'), phase: req(PHASES), index: req('integer'), total: req('integer'), kind: req(STEP_KINDS), title: req('string'),
    why: req('string'), commandLine: req('string'),
  },
  'output': { id: req('string'), phase: req(PHASES), stream: req(['stdout', 'stderr']), text: req('string') },
  'step-end': {
    id: req('string'), phase: req(PHASES), outcome: req(OUTCOMES), exitCode: req('integer|null'), signal: opt('string'), error: opt('string'),
    seconds: req('number'),
  },
  'note': { level: req(['info', 'warning']), text: req('string') },
  'check': {
    id: req('string'), title: req('string'), status: req(['passed', 'failed', 'skipped']), message: req('string'), line: opt('integer'),
    expected: opt('string'), actual: opt('string'), seconds: req('number'),
  },
  'result': {
    tag: req('string'), seconds: req('number'), size: req('integer'), layerGzipSize: req('integer'), id: opt('string'), layerDigest: opt('string'),
    archive: opt('string'), keptRootfs: opt('string'), updatesApplied: opt('integer'), updates: opt('string'),
    upToDate: opt('boolean'), inputsSha256: opt('string'),
  },
  'error': { code: req(ERROR_CODES), message: req('string'), step: opt('string'), hint: opt('string'), detail: opt('string') },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fits(value: unknown, t: FieldType): boolean {
  if (t === 'string') return typeof value === 'string';
  if (t === 'number') return typeof value === 'number' && Number.isFinite(value) && value >= 0;
  if (t === 'integer') return Number.isSafeInteger(value) && (value as number) >= 0;
  if (t === 'integer|null') return value === null || Number.isSafeInteger(value);
  if (t === 'boolean') return typeof value === 'boolean';
  if (t === 'string[]') return Array.isArray(value) && value.every((w) => typeof w === 'string');
  if (Array.isArray(t)) {
    if (t.length === 1 && typeof t[0] === 'object') return Array.isArray(value) && value.every((item) => fitsShape(item, t[0] as Shape));
    return typeof value === 'string' && (t as readonly string[]).includes(value);
  }
  return fitsShape(value, t as Shape);
}

function fitsShape(value: unknown, shape: Shape): boolean {
  if (!isObject(value)) return false;
  for (const [name, [type, need]] of Object.entries(shape)) {
    const v = value[name];
    if (v === undefined) { if (need === 'required') return false; continue; }
    if (!fits(v, type)) return false;
  }
  return true;
}

/** Checks a parsed value against the schema: a build event of version 1, or undefined. Unknown fields are allowed (and kept). */
export function asBuildEvent(value: unknown): BuildEvent | undefined {
  if (!isObject(value) || value['v'] !== BUILD_EVENTS_VERSION || typeof value['type'] !== 'string') return undefined;
  const shape = Object.hasOwn(SCHEMA, value['type']) ? SCHEMA[value['type'] as BuildEventType] : undefined;
  return shape && fitsShape(value, shape) ? value as unknown as BuildEvent : undefined;
}

/** One line of the stream: the event it holds, or undefined when it is anything else (plain text). */
export function parseBuildEvent(line: string): BuildEvent | undefined {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return undefined;
  try {
    return asBuildEvent(JSON.parse(t));
  } catch {
    return undefined;
  }
}

/** The line a producer writes for an event, with the version field and its newline. */
export function formatBuildEvent(e: BuildEventInit): string {
  return `${JSON.stringify({ v: BUILD_EVENTS_VERSION, ...e })}\n`;
}

/** A longer unfinished line is not waited for: it is text. */
const MAX_EVENT_LINE = 4 * 1024 * 1024;

/**
 * Cuts a stream (the CLI's stdout) into events and plain text. A line that holds an event becomes
 * the event; anything else passes on unchanged, and at once unless it may still become an event
 * (a partial line starting with `{`), so a prompt without a newline is shown while it waits.
 */
export class BuildEventDecoder {
  private rest = '';
  /** Text without its newline was passed on: the rest of that line is text too. */
  private midLine = false;

  push(text: string): (BuildEvent | string)[] {
    const out: (BuildEvent | string)[] = [];
    const all = this.rest + text;
    this.rest = '';
    let start = 0;
    for (;;) {
      const nl = all.indexOf('\n', start);
      if (nl < 0) break;
      const line = all.slice(start, nl + 1);
      if (this.midLine) append(out, line);
      else this.take(line, out);
      this.midLine = false;
      start = nl + 1;
    }
    const tail = all.slice(start);
    if (tail.startsWith('{') && !this.midLine && tail.length < MAX_EVENT_LINE) this.rest = tail;
    else if (tail !== '') { append(out, tail); this.midLine = true; }
    return out;
  }

  /** What is left at the end of the stream, as text. */
  flush(): (BuildEvent | string)[] {
    const out: (BuildEvent | string)[] = [];
    if (this.rest !== '') this.take(this.rest, out);
    this.rest = '';
    return out;
  }

  private take(line: string, out: (BuildEvent | string)[]): void {
    const e = parseBuildEvent(line);
    if (e) out.push(e);
    else append(out, line);
  }
}

function append(out: (BuildEvent | string)[], text: string): void {
  const last = out.length - 1;
  if (last >= 0 && typeof out[last] === 'string') out[last] = `${out[last] as string}${text}`;
  else out.push(text);
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

/** The protocol's form of a runner event (run-ended carries nothing a face needs: the build says how it ended). */
export function fromRunEvent(e: RunEvent): BuildEventInit | undefined {
  switch (e.type) {
    case 'step-started':
      return { type: 'step-start', id: e.step.id, phase: e.phase, index: e.index, total: e.total, kind: e.step.kind, title: e.step.title, why: e.step.why, commandLine: e.commandLine };
    case 'output':
      return { type: 'output', id: e.step.id, phase: e.phase, stream: e.stream, text: e.text };
    case 'step-ended':
      return {
        type: 'step-end', id: e.step.id, phase: e.phase, outcome: e.outcome, exitCode: e.exitCode,
        ...(e.signal !== undefined && { signal: e.signal }), ...(e.error !== undefined && { error: e.error }), seconds: seconds(e.durationMs),
      };
    case 'run-ended':
      return undefined;
  }
}
