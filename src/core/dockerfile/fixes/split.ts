import { basename, dirname, join, posix } from 'node:path';
import type { Fix } from '../../kernel/diagnostic';
import { isNotNeededInContainer } from '../../recipe/notNeeded';
import { freeRecipeName, serializeRecipe } from '../../recipe/serialize';
import type { Recipe, RuntimeBinary } from '../../recipe/types';
import type { DockerfileModel, Stage } from '../model';
import type { LintContext } from '../rule';
import { collapse, deriveStage, finalClosure, slug } from './ownedBase';

/** What a final stage that only carries build outputs may hold besides `COPY --from`: image metadata, no RUN. */
const METADATA = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'LABEL', 'EXPOSE', 'USER', 'WORKDIR', 'ARG', 'STOPSIGNAL', 'VOLUME']);
/** The loader and libc of a glibc program (libc6 on amd64, bookworm/trixie), the floor of a dynamic runtime image. */
const GLIBC_RUNTIME_MB = 2.2;

/** The binaries the final stage copies from the build stage, where they land; undefined when not plain files. */
function copiedBinaries(last: Stage, workdirOf: (i: number) => string): { from: number; source: string; to: string }[] | undefined {
  const out: { from: number; source: string; to: string }[] = [];
  let workdir = '/';
  for (const instr of last.instructions.slice(1)) {
    if (instr.keyword === 'WORKDIR') { const d = instr.args[0]?.value ?? '/'; if (d.includes('$')) return undefined; workdir = posix.resolve(workdir, d); continue; }
    const copy = last.copyFroms.find((c) => c.instruction === instr);
    if (!copy) { if (!METADATA.has(instr.keyword)) return undefined; continue; }
    if (copy.stageIndex === undefined || copy.dest === undefined || instr.flags.some((f) => f.name !== 'from' && f.name !== 'chown')) return undefined;
    for (const src of copy.sources) {
      if (/[*?[$]/.test(src) || src.endsWith('/')) return undefined;
      const source = posix.resolve(workdirOf(copy.stageIndex), src);
      const dest = posix.resolve(workdir, copy.dest);
      out.push({ from: copy.stageIndex, source, to: copy.dest.endsWith('/') || copy.sources.length > 1 ? posix.join(dest, posix.basename(source)) : dest });
    }
  }
  return out.length > 0 ? out : undefined;
}

/** The WORKDIR a stage ends in (relative COPY --from sources are read from the stage's root, but RUN wrote under it). */
function stageWorkdir(model: DockerfileModel, i: number): string {
  let dir = '/';
  const s = model.stages[i]!;
  if (s.from.kind === 'stage') dir = stageWorkdir(model, s.from.stageIndex!);
  for (const instr of s.instructions) if (instr.keyword === 'WORKDIR') dir = posix.resolve(dir, instr.args[0]?.value ?? '/');
  return dir;
}

const sourceOf = (model: DockerfileModel, r: Stage['range']): string => model.text.slice(model.lines.offsetAt(r.start), model.lines.offsetAt(r.end));

/**
 * "Split into an owned build base and a runtime base": for a file whose final stage only copies build outputs
 * from earlier stages, the build stages become one stage on an owned build base (its recipe derived as
 * "Create owned base" does), and the final stage runs `FROM scratch` when it already did (a static binary), else
 * `FROM` a runtime base: a `profile: runtime` recipe that takes each copied binary from the build stage (`ownbase
 * build` runs `docker build --target` of it) and holds only what the binary needs. The toolchain never reaches
 * the runtime image.
 */
export function splitBuildAndRuntime(ctx: LintContext, stage: Stage): Fix | undefined {
  const model = ctx.model;
  if (ctx.path === undefined || model.text.includes('\0') || model.stages.length < 2) return undefined;
  const last = model.stages.at(-1)!;
  if (last.from.kind !== 'scratch' && last.from.kind !== 'external') return undefined;
  const closure = finalClosure(model);
  if (!closure.includes(stage.index) || closure.some((i) => ctx.qemuStages.has(i))) return undefined;
  const copies = copiedBinaries(last, (i) => stageWorkdir(model, i));
  if (!copies) return undefined;
  const buildStages = closure.filter((i) => i !== last.index);
  if (buildStages.length === 0 || copies.some((c) => !buildStages.includes(c.from))) return undefined;
  const derivations = buildStages.map((i) => model.stages[i]!).filter((s) => s.from.kind === 'external').map(deriveStage);
  const derived = derivations.find((d) => d !== undefined);
  if (!derived) return undefined;

  const dir = dirname(ctx.path);
  const name = slug(basename(dir));
  const buildImage = `owned/${name}-build:${derived.suite}`;
  const buildName = model.stages[copies[0]!.from]!.name ?? 'build';
  const collapsed = collapse(ctx, buildStages, new Set(), `${buildImage} AS ${buildName}`);
  if (!collapsed) return undefined;
  const packages = [...new Set([...derivations.flatMap((d) => d?.packages ?? []), ...collapsed.packages])].filter((p) => !isNotNeededInContainer(p));
  const exists = ctx.fileExists ?? (() => false);
  const taken = new Set<string>();
  const free = (stem: string): string => {
    const f = join(dir, freeRecipeName(stem, (n) => taken.has(join(dir, n)) || exists(join(dir, n))));
    taken.add(f);
    return f;
  };
  const buildRecipe: Recipe = { image: buildImage, distro: derived.distro, suite: derived.suite, ...(derived.arch && { arch: derived.arch }), variant: 'minbase', ...(packages.length > 0 && { packages }) };
  const buildPath = free(`${name}-build`);

  // The final stage: its own lines, every --from naming the one build stage.
  let finalText = sourceOf(model, last.range).slice(sourceOf(model, last.from.instruction.range).length);
  for (const c of [...last.copyFroms].reverse()) {
    const a = model.lines.offsetAt(c.fromRange.start) - model.lines.offsetAt(last.range.start) - sourceOf(model, last.from.instruction.range).length;
    const b = model.lines.offsetAt(c.fromRange.end) - model.lines.offsetAt(last.range.start) - sourceOf(model, last.from.instruction.range).length;
    finalText = finalText.slice(0, a) + buildName + finalText.slice(b);
  }
  const upstream = last.from.resolved ?? 'scratch';
  const changes: Fix['changes'][number][] = [{ path: buildPath, create: { newText: serializeRecipe(buildRecipe, `Owned build base for ${basename(dir)}/${basename(ctx.path)}: the toolchain, kept out of the runtime image. Derived by ownbase from ${buildStages.map((i) => model.stages[i]!.from.resolved).join(', ')}. ${derived.why}`) } }];
  let fromLine: string;
  let size: string;
  if (last.from.kind === 'scratch') {
    fromLine = `# ownbase: the runtime image stays FROM scratch: the static binary alone (its own size), no toolchain\nFROM scratch`;
    size = 'runtime FROM scratch: the binary alone';
  } else {
    const runtimeImage = `owned/${name}-runtime:${derived.suite}`;
    const binaries: RuntimeBinary[] = copies.map((c) => ({ path: c.source, stage: buildName, dockerfile: basename(ctx.path!), to: c.to }));
    const runtimeRecipe: Recipe = {
      image: runtimeImage, distro: derived.distro, suite: derived.suite, ...(derived.arch && { arch: derived.arch }), profile: 'runtime',
      runtime: { binaries, user: 'nonroot' },
    };
    const runtimePath = free(`${name}-runtime`);
    changes.push({ path: runtimePath, create: { newText: serializeRecipe(runtimeRecipe, `Runtime base for ${basename(dir)}/${basename(ctx.path)}: only what ${copies.map((c) => posix.basename(c.source)).join(', ')} need${copies.length === 1 ? 's' : ''} (loader, libraries, files loaded by name), found in the binary itself; ownbase build builds stage ${buildName} (docker build --target) to read it, so build ${basename(buildPath)} first. Expected about ${GLIBC_RUNTIME_MB} MB for a C program on glibc, instead of ${upstream}.`) } });
    fromLine = `# ownbase: runtime base ${runtimeImage} (${basename(runtimePath)}): the binary, its loader and libraries, about ${GLIBC_RUNTIME_MB} MB for a C program on glibc; was ${upstream}\nFROM ${runtimeImage}`;
    size = `runtime ≈ ${GLIBC_RUNTIME_MB} MB instead of ${upstream}`;
  }
  changes.push({ edits: [{ range: model.lines.rangeOf(0, model.text.length), newText: `${collapsed.text}\n${fromLine}${finalText.replace(/\s*$/, '')}\n` }] });
  return {
    title: `Split: owned build base ${buildImage}, ${size} (the toolchain stays out of the image)`,
    kind: 'refactor',
    changes,
  };
}
