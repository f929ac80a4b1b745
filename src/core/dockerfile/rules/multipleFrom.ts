import type { Diagnostic } from '../../kernel/diagnostic';
import type { FromRef } from '../model';
import type { Rule } from '../rule';
import { ownedBaseFixes } from '../fixes/ownedBase';

const describe = (f: FromRef): string => f.resolved ?? f.raw;

export const multipleFrom: Rule = {
  code: 'OB101',
  name: 'multiple-from',
  defaultSeverity: 'warning',
  description:
    'Every FROM after the first. Multi-stage builds shrink the final image but only move the cost: each FROM still ' +
    'adds dependencies, vulnerabilities and code to maintain. Own one base that has what the image needs ' +
    '(debootstrap, strip, docker import) and use a single FROM. A multiarch/qemu-user-static stage whose ' +
    'qemu-*-static is copied into another stage is the accepted exception (OB102).',
  check(ctx) {
    const counted = ctx.model.stages.filter((s) => !ctx.qemuStages.has(s.index));
    if (counted.length < 2) return [];
    const external = [...new Set(counted.filter((s) => s.from.kind === 'external').map((s) => describe(s.from)))];
    const pulls = external.length === 0 ? 'pulls no external image'
      : `pulls ${external.length} external image${external.length === 1 ? '' : 's'} (${external.join(', ')})`;
    return counted.slice(1).map((stage, i): Diagnostic => ({
      code: 'OB101',
      severity: 'warning',
      range: stage.from.instruction.range,
      message: `FROM ${i + 2} of ${counted.length}: each FROM adds dependencies, vulnerabilities and code to maintain; ` +
        `this file ${pulls}. Own one base image with what this image needs and use a single FROM.`,
      related: counted.filter((o) => o !== stage).map((o) => ({
        range: o.from.instruction.range,
        message: `FROM ${describe(o.from)}${o.name ? ` AS ${o.name}` : ''}`,
        ...(ctx.path !== undefined && { path: ctx.path }),
      })),
      fixes: ownedBaseFixes(ctx, stage),
    }));
  },
};
