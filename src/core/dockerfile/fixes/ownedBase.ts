import { basename, dirname, join } from 'node:path';
import type { Fix } from '../../diagnostic';
import { shQuote } from '../../build/quote';
import { baseFromImage, serializeRecipe } from '../../recipe/derive';
import { isNotNeededInContainer } from '../../recipe/notNeeded';
import type { Recipe } from '../../recipe/types';
import { splitAptWork } from '../apt';
import type { CopyFrom, DockerfileModel, Instruction, Stage } from '../model';
import { isOwned } from '../owned';
import type { LintContext } from '../rule';

/** "Replace with owned base" when a workspace recipe builds the same distro family, else "Create owned base". */
export function ownedBaseFixes(ctx: LintContext, stage: Stage): Fix[] {
  const fixes: Fix[] = [];
  if (!ctx.fixes) return fixes;
  const replace = replaceWithOwned(ctx, stage);
  if (replace) fixes.push(replace);
  const create = createOwnedBase(ctx, stage);
  if (create) fixes.push(create);
  return fixes;
}

function replaceWithOwned(ctx: LintContext, stage: Stage): Fix | undefined {
  const from = stage.from;
  if (from.kind !== 'external' || isOwned(from.resolved!, ctx)) return undefined;
  const base = deriveStage(stage);
  if (!base) return undefined;
  const family = ctx.ownedImages.filter((o) => o.distro === base.distro);
  const owned = family.find((o) => o.suite === base.suite) ?? family[0];
  if (!owned) return undefined;
  return {
    title: `Replace with owned base ${owned.image}`,
    kind: 'quickfix',
    isPreferred: true,
    changes: [{ edits: [{ range: from.rawRange, newText: owned.image }] }],
  };
}

/** The stages the final image is made from: the last stage and every stage it builds on or copies from. */
export function finalClosure(model: DockerfileModel): number[] {
  const last = model.stages.length - 1;
  const seen = new Set<number>();
  const visit = (i: number) => {
    if (seen.has(i) || i < 0) return;
    seen.add(i);
    const s = model.stages[i]!;
    if (s.from.kind === 'stage') visit(s.from.stageIndex!);
    for (const c of s.copyFroms) if (c.stageIndex !== undefined) visit(c.stageIndex);
  };
  visit(last);
  return [...seen].sort((a, b) => a - b);
}

/** Docker's per-architecture namespaces of the official images, as Debian architectures. */
const ARCH_NAMESPACES: Readonly<Record<string, string>> = {
  amd64: 'amd64', arm64v8: 'arm64', arm32v7: 'armhf', arm32v5: 'armel', i386: 'i386', ppc64le: 'ppc64el',
  s390x: 's390x', riscv64: 'riscv64', mips64le: 'mips64el',
};
const PLATFORM_ARCH: Readonly<Record<string, string>> = {
  'linux/amd64': 'amd64', 'linux/arm64': 'arm64', 'linux/arm64/v8': 'arm64', 'linux/arm/v7': 'armhf', 'linux/arm/v5': 'armel',
  'linux/386': 'i386', 'linux/ppc64le': 'ppc64el', 'linux/s390x': 's390x', 'linux/riscv64': 'riscv64',
};

/** The distribution base of a stage's image, and its architecture when the image or --platform names one. */
function deriveStage(stage: Stage): (NonNullable<ReturnType<typeof baseFromImage>> & { arch?: string }) | undefined {
  const image = stage.from.image!;
  const [namespace, ...rest] = image.path.split('/');
  const nsArch = rest.length === 1 ? ARCH_NAMESPACES[namespace!] : undefined;
  const path = nsArch ? rest[0]! : image.path;
  const base = baseFromImage({ path, ...(image.tag !== undefined && { tag: image.tag }) });
  if (!base) return undefined;
  const arch = (stage.from.platform && PLATFORM_ARCH[stage.from.platform]) || nsArch;
  return { ...base, ...(arch && { arch }) };
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'base';

function sourceOf(model: DockerfileModel, instr: Instruction): string {
  return model.text.slice(model.lines.offsetAt(instr.range.start), model.lines.offsetAt(instr.range.end));
}

/** `COPY --from=<stage> src… dest` once both stages are one: copy in place, with COPY's directory semantics. */
function copyInPlace(model: DockerfileModel, copy: CopyFrom): string {
  const arg = (s: string) => (/[*?[]/.test(s) ? s : shQuote(s));
  const dest = copy.dest ?? '.';
  const intoDir = dest.endsWith('/') || copy.sources.length > 1 || copy.sources.some((s) => /[*?[]/.test(s));
  const sources = copy.sources.map(arg).join(' ');
  const chown = copy.instruction.flags.find((f) => f.name === 'chown')?.value;
  const chownCmd = chown ? ` && chown -R ${shQuote(chown)} ${arg(dest)}` : '';
  const body = intoDir
    ? `mkdir -p ${arg(dest)} && for s in ${sources}; do if [ -d "$s" ]; then cp -a "$s"/. ${arg(dest)}; else cp -a "$s" ${arg(dest)}; fi; done`
    : `if [ -d ${sources} ]; then mkdir -p ${arg(dest)} && cp -a ${sources}/. ${arg(dest)}; ` +
      `else mkdir -p "$(dirname ${arg(dest)})" && cp -a ${sources} ${arg(dest)}; fi`;
  return `# was: ${sourceOf(model, copy.instruction).replace(/\r?\n/g, ' ')}\nRUN ${body}${chownCmd}`;
}

interface Collapsed {
  readonly text: string;
  readonly packages: string[];
}

/** The final image's stages as one stage on `newFrom`, package installs moved out. */
function collapseOnce(model: DockerfileModel, closure: readonly number[], keep: ReadonlySet<number>, newFrom: string): Collapsed | undefined {
  const inClosure = new Set(closure);
  const first = model.stages[0];
  if (!first) return undefined;
  const preamble = model.text.slice(0, model.lines.offsetAt({ line: first.range.start.line, character: 0 }));
  const parts: string[] = [preamble];
  for (const i of keep) parts.push(`${sourceOf(model, model.stages[i]!.from.instruction)}\n`);
  parts.push(`FROM ${newFrom}\n`);
  const packages: string[] = [];
  let workdirChanged = false;
  let userChanged = false;
  for (const i of closure) {
    if (keep.has(i)) continue;
    const stage = model.stages[i]!;
    if (stage.from.kind !== 'stage') {
      if (workdirChanged) parts.push('WORKDIR /\n');
      if (userChanged) parts.push('USER root\n');
      workdirChanged = userChanged = false;
    }
    for (const instr of stage.instructions.slice(1)) {
      const copy = stage.copyFroms.find((c) => c.instruction === instr);
      if (copy && copy.stageIndex !== undefined && inClosure.has(copy.stageIndex) && !keep.has(copy.stageIndex)) {
        parts.push(`${copyInPlace(model, copy)}\n`);
        continue;
      }
      if (instr.keyword === 'RUN' && instr.heredocs.length === 0 && !instr.argsText.trimStart().startsWith('[')) {
        const flags = instr.args.filter((a) => a.value.startsWith('--')).map((a) => a.value);
        const command = model.text.slice(model.lines.offsetAt(instr.args.find((a) => !a.value.startsWith('--'))?.range.start ?? instr.range.end), model.lines.offsetAt(instr.range.end));
        const apt = splitAptWork(command, model.escape);
        if (apt.movable && apt.packages.length > 0) {
          packages.push(...apt.packages);
          if (apt.remaining.length > 0) parts.push(`RUN ${[...flags, apt.remaining.join(' && ')].join(' ')}\n`);
          continue;
        }
      }
      if (instr.keyword === 'WORKDIR') workdirChanged = true;
      if (instr.keyword === 'USER') userChanged = true;
      parts.push(`${sourceOf(model, instr)}\n`);
    }
  }
  return { text: parts.join(''), packages };
}

// One lint run offers the same collapse on many diagnostics: compute it once per run.
const collapsed = new WeakMap<LintContext, Map<string, Collapsed | undefined>>();
function collapse(ctx: LintContext, closure: readonly number[], keep: ReadonlySet<number>, newFrom: string): Collapsed | undefined {
  let byFrom = collapsed.get(ctx);
  if (!byFrom) collapsed.set(ctx, (byFrom = new Map()));
  if (!byFrom.has(newFrom)) byFrom.set(newFrom, collapseOnce(ctx.model, closure, keep, newFrom));
  return byFrom.get(newFrom);
}

function freeRecipePath(dir: string, name: string, exists: (p: string) => boolean): string {
  for (let n = 1; ; n++) {
    const p = join(dir, `${name}${n === 1 ? '' : `-${n}`}.ownbase.yaml`);
    if (!exists(p)) return p;
  }
}

/**
 * "Create owned base from this stage": a recipe derived from the stage's image and its package installs,
 * written beside the Dockerfile, and the Dockerfile rewritten to one FROM of the new image.
 */
function createOwnedBase(ctx: LintContext, stage: Stage): Fix | undefined {
  const model = ctx.model;
  if (ctx.path === undefined || model.text.includes('\0')) return undefined; // no shell word can hold a NUL
  const closure = finalClosure(model);
  if (!closure.includes(stage.index)) return undefined;
  const keep = new Set(closure.filter((i) => ctx.qemuStages.has(i)));
  const candidates = [...new Set([stage, ...closure.map((i) => model.stages[i]!)])].filter((s) => s.from.kind === 'external' && !keep.has(s.index));
  const derived = candidates.map(deriveStage).find((d) => d !== undefined);
  if (!derived) return undefined;
  const dir = dirname(ctx.path);
  const name = slug(basename(dir));
  const image = `owned/${name}:${derived.suite}`;
  const result = collapse(ctx, closure, keep, image);
  if (!result) return undefined;
  const imagePackages = candidates.flatMap((s) => deriveStage(s)?.packages ?? []);
  const packages = [...new Set([...imagePackages, ...result.packages])].filter((p) => !isNotNeededInContainer(p));
  const recipe: Recipe = {
    image, distro: derived.distro, suite: derived.suite, ...(derived.arch && { arch: derived.arch }), variant: 'minbase',
    ...(packages.length > 0 && { packages }),
  };
  const recipePath = freeRecipePath(dir, name, ctx.fileExists ?? (() => false));
  const froms = model.stages.length;
  const comment = `Owned base for ${basename(dir)}/${basename(ctx.path)}, derived by ownbase from ` +
    `${candidates.map((s) => s.from.resolved).join(', ')}. ${derived.why}`;
  return {
    title: `Create owned base ${image} from this stage${froms > 1 ? ` (one FROM instead of ${froms})` : ''}`,
    kind: 'refactor',
    changes: [
      { path: recipePath, create: { newText: serializeRecipe(recipe, comment) } },
      { edits: [{ range: model.lines.rangeOf(0, model.text.length), newText: result.text }] },
    ],
  };
}
