import type { Rule } from '../rule';

export const crossArchException: Rule = {
  code: 'OB102',
  name: 'cross-arch-exception',
  defaultSeverity: 'information',
  description:
    'A multiarch/qemu-user-static stage whose qemu-*-static binary is copied into another stage, to run another ' +
    'architecture during the build. It is the accepted exception to one FROM and gets no OB101, but the pattern is ' +
    'deprecated upstream: register binfmt handlers on the host (qemu-user-static and binfmt-support), or bootstrap ' +
    'an owned cross-architecture base with debootstrap --foreign and qemu-<arch>-static copied into the chroot.',
  check(ctx) {
    return [...ctx.qemuStages].map((index) => {
      const stage = ctx.model.stages[index]!;
      return {
        code: 'OB102',
        severity: 'information' as const,
        range: stage.from.instruction.range,
        message: 'Accepted exception to one FROM: this stage only provides qemu-*-static to run another architecture. ' +
          'The multiarch/qemu-user-static pattern is deprecated upstream; register binfmt on the host ' +
          '(apt-get install qemu-user-static binfmt-support) or own a cross-arch base bootstrapped with ' +
          'debootstrap --foreign.',
      };
    });
  },
};
