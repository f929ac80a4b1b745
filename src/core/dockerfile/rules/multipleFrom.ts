import type { Diagnostic, RelatedInformation } from '../../kernel/diagnostic';
import { clip, listSome } from '../../kernel/text';
import type { FromRef, Stage } from '../model';
import type { LintContext, Rule } from '../rule';
import { isOwned } from '../owned';

const describe = (f: FromRef): string => clip(f.resolved ?? f.raw);
/** Bounds that keep a file of thousands of FROMs linear: each diagnostic names a few images and FROMs, not all. */
const NAMED_IMAGES = 5;
const RELATED = 10;

/** The other FROMs, the first RELATED of them, then one entry that says how many more. */
function relatedOf(ctx: LintContext, counted: readonly Stage[], self: number): RelatedInformation[] {
  const out: RelatedInformation[] = [];
  const path = ctx.path !== undefined ? { path: ctx.path } : {};
  let i = 0;
  for (; i < counted.length && out.length < RELATED; i++) {
    if (i === self) continue;
    const o = counted[i]!;
    out.push({ range: o.from.instruction.range, message: `FROM ${describe(o.from)}${o.name ? ` AS ${clip(o.name)}` : ''}`, ...path });
  }
  const more = counted.length - 1 - out.length;
  if (more > 0) {
    const next = counted[i === self ? i + 1 : i]!;
    out.push({ range: next.from.instruction.range, message: `and ${more} more FROM${more === 1 ? '' : 's'}`, ...path });
  }
  return out;
}

/**
 * Whether every counted stage starts from something the user owns: a workspace recipe's image, an
 * `ownbase.ownedImages` match, `scratch`, or an earlier stage (itself counted). Then the cost OB101 names —
 * other people's images — is gone, and the rule only informs.
 */
function allOwned(ctx: LintContext, counted: readonly Stage[]): boolean {
  return counted.every((s) => s.from.kind === 'scratch' || s.from.kind === 'stage' ||
    (s.from.kind === 'external' && isOwned(s.from.resolved!, ctx)));
}

export const multipleFrom: Rule = {
  code: 'OB101',
  name: 'multiple-from',
  defaultSeverity: 'warning',
  description:
    'Every FROM after the first. Multi-stage builds shrink the final image but only move the cost: each FROM still ' +
    'adds dependencies, vulnerabilities and code to maintain. Own one base that has what the image needs ' +
    '(debootstrap, strip, docker import) and use a single FROM. A multiarch/qemu-user-static stage whose ' +
    'qemu-*-static is copied into another stage is the accepted exception (OB102). When every FROM is owned (a ' +
    'workspace recipe, an ownbase.ownedImages pattern, scratch or an earlier stage) the diagnostic is information: ' +
    'the cost it names is gone.',
  check(ctx) {
    const counted = ctx.model.stages.filter((s) => !ctx.qemuStages.has(s.index));
    if (counted.length < 2) return [];
    const external = [...new Set(counted.filter((s) => s.from.kind === 'external').map((s) => describe(s.from)))];
    if (allOwned(ctx, counted)) {
      return counted.slice(1).map((stage, i): Diagnostic => ({
        code: 'OB101',
        severity: 'information',
        range: stage.from.instruction.range,
        message: `FROM ${i + 2} of ${counted.length}: every FROM in this file is owned (a recipe of yours, an ownedImages ` +
          'pattern, scratch or an earlier stage), so no one else\'s image is in this build.',
        related: relatedOf(ctx, counted, i + 1),
      }));
    }
    const pulls = external.length === 0 ? 'pulls no external image'
      : `pulls ${external.length} external image${external.length === 1 ? '' : 's'} (${listSome(external, NAMED_IMAGES)})`;
    return counted.slice(1).map((stage, i): Diagnostic => ({
      code: 'OB101',
      severity: 'warning',
      range: stage.from.instruction.range,
      message: `FROM ${i + 2} of ${counted.length}: each FROM adds dependencies, vulnerabilities and code to maintain; ` +
        `this file ${pulls}. Own one base image with what this image needs and use a single FROM.`,
      related: relatedOf(ctx, counted, i + 1),
    }));
  },
};
