import type { DockerfileModel } from './model';

const QEMU_IMAGE = /(^|\/)qemu-user-static$/;
const QEMU_BINARY = /qemu-[a-z0-9_]+-static/;

/**
 * Stages that only provide `qemu-*-static` to another stage: `FROM multiarch/qemu-user-static` whose
 * binary is copied with `COPY --from` into a later stage. The one accepted exception to "one FROM".
 */
export function qemuExceptionStages(model: DockerfileModel): Set<number> {
  // One pass over the copies, so that a file of thousands of stages stays linear.
  const qemuCopiedFrom = new Set<number>();
  for (const other of model.stages) {
    for (const c of other.copyFroms) {
      if (c.stageIndex !== undefined && c.sources.some((s) => QEMU_BINARY.test(s) || s.endsWith('/qemu-*-static'))) qemuCopiedFrom.add(c.stageIndex);
    }
  }
  const result = new Set<number>();
  for (const stage of model.stages) {
    if (stage.from.kind === 'external' && QEMU_IMAGE.test(stage.from.image!.path) && qemuCopiedFrom.has(stage.index)) result.add(stage.index);
  }
  return result;
}
