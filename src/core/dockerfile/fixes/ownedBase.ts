import { basename, dirname, join, posix } from 'node:path';
import type { Fix } from '../../kernel/diagnostic';
import { shQuote } from '../../build/quote';
import { baseFromImage, serializeRecipe } from '../../recipe/derive';
import { isNotNeededInContainer } from '../../recipe/notNeeded';
import { freeRecipeName } from '../../recipe/serialize';
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
export function deriveStage(stage: Stage): (NonNullable<ReturnType<typeof baseFromImage>> & { arch?: string }) | undefined {
  const image = stage.from.image!;
  const [namespace, ...rest] = image.path.split('/');
  const nsArch = rest.length === 1 ? ARCH_NAMESPACES[namespace!] : undefined;
  const path = nsArch ? rest[0]! : image.path;
  const base = baseFromImage({ path, ...(image.tag !== undefined && { tag: image.tag }) });
  if (!base) return undefined;
  const arch = (stage.from.platform && PLATFORM_ARCH[stage.from.platform]) || nsArch;
  return { ...base, ...(arch && { arch }) };
}

export const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'base';

function sourceOf(model: DockerfileModel, instr: Instruction): string {
  return model.text.slice(model.lines.offsetAt(instr.range.start), model.lines.offsetAt(instr.range.end));
}

/** COPY flags the in-place copy reproduces; with any other (--chmod, --link, --parents, --exclude) no collapse is offered. */
const TRANSLATABLE_COPY_FLAGS = new Set(['from', 'chown']);

/**
 * `COPY --from=<stage> src… dest` once both stages are one: copy in place, with COPY's semantics — sources are
 * paths from the stage's root, a directory's contents are copied, `--chown` applies to what is copied only.
 */
function copyInPlace(model: DockerfileModel, copy: CopyFrom, workdir: string): string {
  const isGlob = (s: string) => /[*?[]/.test(s);
  const arg = (s: string) => (isGlob(s) ? s : shQuote(s));
  const dest = copy.dest ?? '.';
  const chown = copy.instruction.flags.find((f) => f.name === 'chown')?.value;
  const was = `# was: ${sourceOf(model, copy.instruction).replace(/\r\n?|\n/g, ' ')}`;
  // Once both stages are one, a source at the destination's own path is already in place: `cp -a /venv/. /venv`
  // fails ("are the same file"). Such a source is dropped; only its --chown is kept.
  const target = posix.resolve(workdir, dest);
  const rooted = copy.sources.map((s) => posix.resolve('/', s));
  const sources = rooted.filter((s) => isGlob(s) || s !== target);
  if (sources.length === 0) {
    const own = chown ? `\nRUN chown -R ${shQuote(chown)} ${shQuote(target)}` : '';
    return `${was} (the same path once the stages are one: nothing to copy)${own}`;
  }
  const intoDir = dest.endsWith('/') || copy.sources.length > 1 || sources.some(isGlob);
  let body: string;
  if (intoDir) {
    const dir = arg(dest.replace(/\/+$/, '') || '/');
    const own = chown ? ` && chown -R ${shQuote(chown)} ${dir}/"$(basename "$s")"` : '';
    const ownContents = chown ? ` && (cd "$s" && find . -mindepth 1 -maxdepth 1 -exec chown -R ${shQuote(chown)} ${dir}/{} \\;)` : '';
    body = `mkdir -p ${arg(dest)} && for s in ${sources.map(arg).join(' ')}; do ` +
      `if [ -d "$s" ]; then cp -a "$s"/. ${arg(dest)}${ownContents}; else cp -a "$s" ${arg(dest)}${own}; fi; done`;
  } else {
    const src = arg(sources[0]!);
    const own = chown ? ` && chown -R ${shQuote(chown)} ${arg(dest)}` : '';
    body = `if [ -d ${src} ]; then mkdir -p ${arg(dest)} && cp -a ${src}/. ${arg(dest)}; ` +
      `else mkdir -p "$(dirname ${arg(dest)})" && cp -a ${src} ${arg(dest)}; fi${own}`;
  }
  return `${was}\nRUN ${body}`;
}

export interface Collapsed {
  readonly text: string;
  readonly packages: string[];
}

const LOCAL_PATH = /\/usr\/local\/[^\s"'\],;:$]+/g;

/**
 * Paths under /usr/local that an instruction uses and nothing earlier in the file put there. Debian packages
 * install nothing under /usr/local (Policy 9.1.2), so such a path came with the upstream image (the official
 * python image's /usr/local/bin/python, golang's /usr/local/go) and the owned base will not have it.
 */
function upstreamOnlyPaths(text: string, created: readonly string[]): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(LOCAL_PATH)) {
    const path = m[0].replace(/\/+$/, '');
    if (!created.some((c) => path === c || path.startsWith(`${c}/`) || c.startsWith(`${path}/`))) found.add(path);
  }
  return [...found];
}

/** What a stage leaves in effect for the next instruction. */
interface StageState { readonly workdir: string; readonly user: string }
const IMAGE_DEFAULTS: StageState = { workdir: '/', user: 'root' };

/**
 * The final image's stages as one stage on `newFrom`, package installs moved out; undefined where the result
 * could not keep every instruction's effect (a WORKDIR built from variables, a COPY flag it cannot reproduce).
 */
function collapseOnce(
  model: DockerfileModel, closure: readonly number[], keep: ReadonlySet<number>, newFrom: string,
  upstream: (stage: number) => string | undefined,
): Collapsed | undefined {
  const inClosure = new Set(closure);
  const first = model.stages[0];
  if (!first) return undefined;
  const preamble = model.text.slice(0, model.lines.offsetAt({ line: first.range.start.line, character: 0 }));
  const parts: string[] = [preamble];
  for (const i of keep) parts.push(`${sourceOf(model, model.stages[i]!.from.instruction)}\n`);
  parts.push(`FROM ${newFrom}\n`);
  const packages: string[] = [];
  const created: string[] = [];
  /** A note above an instruction that uses what only the upstream image had: the preview shows it at the line. */
  const noteUpstream = (stage: number, text: string) => {
    const image = upstream(stage);
    if (!image) return;
    for (const path of upstreamOnlyPaths(text, created)) {
      parts.push(`# ownbase: check ${path}: ${image} has it, but Debian packages install nothing under /usr/local, so the owned base will not\n`);
    }
  };
  const ends = new Map<number, StageState>();
  let emitted: StageState = IMAGE_DEFAULTS;
  const set = (want: StageState) => {
    if (want.workdir !== emitted.workdir) parts.push(`WORKDIR ${want.workdir}\n`);
    if (want.user !== emitted.user) parts.push(`USER ${want.user}\n`);
    emitted = want;
  };
  for (const i of closure) {
    if (keep.has(i)) continue;
    const stage = model.stages[i]!;
    // A stage starts where its parent stage ended, or with an image's defaults (an official image's own WORKDIR
    // and ENV are not known here; the recipe's base starts at /).
    // Emitted lazily, before the next instruction that depends on it.
    let state = stage.from.kind === 'stage' ? ends.get(stage.from.stageIndex!) ?? IMAGE_DEFAULTS : IMAGE_DEFAULTS;
    for (const instr of stage.instructions.slice(1)) {
      const copy = stage.copyFroms.find((c) => c.instruction === instr);
      if (copy && copy.stageIndex !== undefined && inClosure.has(copy.stageIndex) && !keep.has(copy.stageIndex)) {
        if (copy.sources.length === 0 || instr.flags.some((f) => !TRANSLATABLE_COPY_FLAGS.has(f.name))) return undefined;
        set({ ...state, user: 'root' });
        created.push(posix.resolve(state.workdir, copy.dest ?? '.'));
        parts.push(`${copyInPlace(model, copy, state.workdir)}\n`);
        continue;
      }
      if (instr.keyword === 'RUN' && instr.heredocs.length === 0 && !instr.argsText.trimStart().startsWith('[')) {
        const flags = instr.flags.map((f) => model.text.slice(model.lines.offsetAt(f.range.start), model.lines.offsetAt(f.range.end)));
        const command = model.text.slice(model.lines.offsetAt(instr.args[0]?.range.start ?? instr.range.end), model.lines.offsetAt(instr.range.end));
        const apt = splitAptWork(command, model.escape);
        if (apt.movable && apt.packages.length > 0) {
          packages.push(...apt.packages);
          if (apt.remaining.length > 0) {
            set(state);
            noteUpstream(i, apt.remaining.join(' '));
            parts.push(`RUN ${[...flags, apt.remaining.join(' && ')].join(' ')}\n`);
          }
          continue;
        }
      }
      if (instr.keyword === 'WORKDIR') {
        const dir = instr.args[0]?.value ?? '/';
        if (dir.includes('$')) return undefined;
        state = { ...state, workdir: posix.resolve(state.workdir, dir) };
        set({ ...emitted, workdir: state.workdir }); // at once: WORKDIR also creates the folder
        continue;
      }
      if (instr.keyword === 'USER') {
        state = { ...state, user: instr.args[0]?.value ?? 'root' };
        continue;
      }
      set(state);
      const source = sourceOf(model, instr);
      if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
        const dest = instr.args.at(-1)?.value;
        if (dest !== undefined && !dest.startsWith('[')) created.push(posix.resolve(state.workdir, dest));
      } else {
        noteUpstream(i, source);
      }
      parts.push(`${source}\n`);
    }
    ends.set(i, state);
  }
  // The image keeps the final stage's WORKDIR and USER.
  const last = closure.filter((i) => !keep.has(i)).at(-1);
  if (last !== undefined) set(ends.get(last)!);
  return { text: parts.join(''), packages };
}

// One lint run offers the same collapse on many diagnostics: compute it once per run.
const collapsed = new WeakMap<LintContext, Map<string, Collapsed | undefined>>();
export function collapse(ctx: LintContext, closure: readonly number[], keep: ReadonlySet<number>, newFrom: string): Collapsed | undefined {
  let byFrom = collapsed.get(ctx);
  if (!byFrom) collapsed.set(ctx, (byFrom = new Map()));
  /** The image a stage's chain starts from, when it is someone else's (the one the owned base replaces). */
  const upstream = (i: number): string | undefined => {
    let from = ctx.model.stages[i]!.from;
    for (let hops = 0; from.kind === 'stage' && hops < ctx.model.stages.length; hops++) from = ctx.model.stages[from.stageIndex!]!.from;
    return from.kind === 'external' && !isOwned(from.resolved!, ctx) ? from.resolved : undefined;
  };
  if (!byFrom.has(newFrom)) byFrom.set(newFrom, collapseOnce(ctx.model, closure, keep, newFrom, upstream));
  return byFrom.get(newFrom);
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
  const derivations = candidates.map(deriveStage);
  const derived = derivations.find((d) => d !== undefined);
  if (!derived) return undefined;
  const dir = dirname(ctx.path);
  const name = slug(basename(dir));
  const image = `owned/${name}:${derived.suite}`;
  const result = collapse(ctx, closure, keep, image);
  if (!result) return undefined;
  const imagePackages = derivations.flatMap((d) => d?.packages ?? []);
  const packages = [...new Set([...imagePackages, ...result.packages])].filter((p) => !isNotNeededInContainer(p));
  const recipe: Recipe = {
    image, distro: derived.distro, suite: derived.suite, ...(derived.arch && { arch: derived.arch }), variant: 'minbase',
    ...(packages.length > 0 && { packages }),
  };
  const exists = ctx.fileExists ?? (() => false);
  const recipePath = join(dir, freeRecipeName(name, (f) => exists(join(dir, f))));
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
