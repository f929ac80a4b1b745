import type { Range } from '../kernel/diagnostic';
import { LineIndex } from '../kernel/text';
import { splitImageRef, type ImageRef } from '../kernel/imageRef';
import { expandVariables } from './expand';
import { scanDockerfile, type ScannedInstruction } from './scan';

export type Instruction = ScannedInstruction;

export type FromKind = 'scratch' | 'stage' | 'external' | 'unresolved';

export interface FromRef {
  readonly instruction: Instruction;
  /** The image argument as written, e.g. `${BASE}:${TAG}`. */
  readonly raw: string;
  readonly rawRange: Range;
  /** After global ARG defaults; undefined when an ARG has no default. */
  readonly resolved?: string;
  /** ARGs used by the image argument that have no default value. */
  readonly unresolvedArgs: readonly string[];
  readonly kind: FromKind;
  /** For kind 'stage': the index of the earlier stage referenced. */
  readonly stageIndex?: number;
  /** For kind 'external'. */
  readonly image?: ImageRef;
  readonly platform?: string;
}

export interface CopyFrom {
  readonly instruction: Instruction;
  readonly from: string;
  readonly fromRange: Range;
  /** The earlier stage copied from, when `--from` names one (by name or index). */
  readonly stageIndex?: number;
  readonly sources: readonly string[];
  readonly dest?: string;
}

export interface Stage {
  readonly index: number;
  readonly name?: string;
  readonly from: FromRef;
  /** Every instruction of the stage, the FROM first. */
  readonly instructions: readonly Instruction[];
  readonly copyFroms: readonly CopyFrom[];
  /** From the FROM's first character to the end of the stage's last instruction. */
  readonly range: Range;
}

export interface DockerfileModel {
  readonly text: string;
  readonly lines: LineIndex;
  readonly escape: string;
  /** Global ARGs (before the first FROM): name -> default (null: no default). */
  readonly globalArgs: ReadonlyMap<string, { readonly value: string | null; readonly range: Range }>;
  /** Instructions before the first FROM (ARGs, parser errors). */
  readonly preamble: readonly Instruction[];
  readonly stages: readonly Stage[];
}

const SCRATCH = 'scratch';

/**
 * Parses a Dockerfile into stages. Never throws: a broken file gives a model of what could be read.
 */
export function parseDockerfile(text: string): DockerfileModel {
  const lines = new LineIndex(text);
  const scanned = scanDockerfile(lines);
  const globalArgs = new Map<string, { value: string | null; range: Range }>();
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  let current: { instructions: Instruction[]; from: FromRef; name?: string } | undefined;
  const stageNames = new Map<string, number>();

  const closeStage = () => {
    if (!current) return;
    const last = current.instructions[current.instructions.length - 1]!;
    const index = stages.length;
    const copyFroms = current.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD').flatMap((i) => copyFromOf(i, stageNames, index));
    stages.push({
      index,
      ...(current.name !== undefined && { name: current.name }),
      from: current.from,
      instructions: current.instructions,
      copyFroms,
      range: { start: current.from.instruction.range.start, end: last.range.end },
    });
    if (current.name !== undefined && !stageNames.has(current.name)) stageNames.set(current.name, index);
  };

  for (const instr of scanned.instructions) {
    if (instr.keyword === 'FROM') {
      closeStage();
      const from = fromRef(instr, globalArgs, stageNames);
      const name = instr.args[1]?.value.toUpperCase() === 'AS' ? instr.args[2]?.value : undefined;
      current = { instructions: [instr], from, ...(name ? { name: name.toLowerCase() } : {}) };
    } else if (current) {
      current.instructions.push(instr);
    } else {
      preamble.push(instr);
      if (instr.keyword === 'ARG') {
        for (const a of instr.args) {
          const eq = a.value.indexOf('=');
          const name = eq >= 0 ? a.value.slice(0, eq) : a.value;
          if (name) globalArgs.set(name, { value: eq >= 0 ? unquote(a.value.slice(eq + 1)) : null, range: a.range });
        }
      }
    }
  }
  closeStage();
  return { text, lines, escape: scanned.escape, globalArgs, preamble, stages };
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

function fromRef(
  instr: Instruction,
  globalArgs: ReadonlyMap<string, { value: string | null }>, stageNames: ReadonlyMap<string, number>,
): FromRef {
  const imageArg = instr.args[0];
  const raw = imageArg?.value ?? '';
  const rawRange = imageArg?.range ?? instr.keywordRange;
  const platform = instr.flags.find((f) => f.name === 'platform')?.value;
  const base = { instruction: instr, raw, rawRange, ...(platform !== undefined && { platform }) };
  const { value, missing } = expandVariables(raw, (name) => globalArgs.get(name)?.value ?? undefined);
  if (missing.length > 0 || raw === '') return { ...base, unresolvedArgs: missing, kind: 'unresolved' };
  const resolved = value;
  if (resolved.toLowerCase() === SCRATCH) return { ...base, resolved, unresolvedArgs: [], kind: 'scratch' };
  const stageIndex = stageNames.get(resolved.toLowerCase());
  if (stageIndex !== undefined) return { ...base, resolved, unresolvedArgs: [], kind: 'stage', stageIndex };
  return { ...base, resolved, unresolvedArgs: [], kind: 'external', image: splitImageRef(resolved) };
}

function copyFromOf(instr: Instruction, stageNames: ReadonlyMap<string, number>, ownIndex: number): CopyFrom[] {
  const flag = instr.flags.find((f) => f.name === 'from');
  if (!flag) return [];
  const from = flag.value;
  const fromRange = flag.valueRange ?? flag.range;
  const positional = instr.args.map((a) => a.value);
  const byName = stageNames.get(from.toLowerCase());
  const byIndex = /^\d+$/.test(from) && Number(from) < ownIndex ? Number(from) : undefined;
  const stageIndex = byName ?? byIndex;
  return [{
    instruction: instr, from, fromRange,
    ...(stageIndex !== undefined && { stageIndex }),
    sources: positional.slice(0, -1),
    ...(positional.length > 0 && { dest: positional[positional.length - 1] }),
  }];
}
