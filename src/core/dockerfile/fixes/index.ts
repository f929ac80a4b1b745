import type { Diagnostic, Fix } from '../../kernel/diagnostic';
import { contextOf, type DockerfileLintOptions } from '../lint';
import { parseDockerfile, type Stage } from '../model';
import type { LintContext } from '../rule';
import { ownedBaseFixes } from './ownedBase';
import { pinTagFix } from './pinTag';
import { splitBuildAndRuntime } from './split';

/** Stages by where their FROM instruction and its image argument start, built once per context. */
const stagesByStart = new WeakMap<LintContext, Map<string, Stage>>();
function stageAt(ctx: LintContext, d: Diagnostic): Stage | undefined {
  let byStart = stagesByStart.get(ctx);
  if (!byStart) {
    byStart = new Map();
    for (const s of ctx.model.stages) {
      for (const p of [s.from.rawRange.start, s.from.instruction.range.start]) byStart.set(`${p.line}:${p.character}`, s);
    }
    stagesByStart.set(ctx, byStart);
  }
  return byStart.get(`${d.range.start.line}:${d.range.start.character}`);
}

interface RuleFixes {
  /** Whether the rule's fixes may be safe (applied by "fix all"); the others are not computed for it. */
  readonly safe: boolean;
  fixes(ctx: LintContext, d: Diagnostic): Fix[];
}

const ownedBase: RuleFixes = {
  safe: false,
  fixes(ctx, d) {
    const stage = stageAt(ctx, d);
    if (!stage || !ctx.fixes) return [];
    const split = splitBuildAndRuntime(ctx, stage);
    return [...ownedBaseFixes(ctx, stage), ...(split ? [split] : [])];
  },
};

/** The fixes of each Dockerfile rule that has some, by code. */
const DOCKERFILE_FIXES: Readonly<Record<string, RuleFixes>> = {
  OB101: ownedBase,
  OB103: ownedBase,
  OB104: {
    safe: true,
    fixes(ctx, d) {
      const stage = stageAt(ctx, d);
      const fix = stage && pinTagFix(ctx, stage);
      return fix ? [fix] : [];
    },
  },
};

/**
 * The rules' own fixes (no "Ignore" fix) of diagnostics that `lintDockerfile` reported for this text, one list per
 * diagnostic, computed when an editor asks for them over one parse. `safeOnly`: only the fixes "fix all" applies.
 */
export function dockerfileFixes(
  text: string, diagnostics: readonly Diagnostic[], options: DockerfileLintOptions = {}, safeOnly = false,
): Fix[][] {
  const wanted = diagnostics.map((d) => DOCKERFILE_FIXES[d.code]).map((f) => (f && (!safeOnly || f.safe) ? f : undefined));
  if (!wanted.some(Boolean)) return diagnostics.map(() => []);
  const ctx = contextOf(parseDockerfile(text), { ...options, fixes: true });
  return diagnostics.map((d, i) => (wanted[i]?.fixes(ctx, d) ?? []).filter((f) => !safeOnly || f.safe));
}
