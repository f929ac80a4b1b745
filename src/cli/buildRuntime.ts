import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { BuildHost } from '../core/build/host';
import { inputsSha256, recordLayerGzipSize } from '../core/build/inputs';
import { PlanError, sourceDateEpoch } from '../core/build/plan';
import type { Plan, Step } from '../core/build/types';
import { STAGE_VERSION, stageImage } from '../core/elf/image';
import { needsOf, type BinarySpec, type NeedsReport } from '../core/elf/needs';
import { PackageIndex } from '../core/elf/packages';
import { runtimeDestination } from '../core/elf/recipe';
import { Resolver } from '../core/elf/resolve';
import { RootFs } from '../core/elf/root';
import { formatTagName, parseTagName } from '../core/kernel/imageRef';
import { CHECKS_SKIPPED, LABEL_CHECKS, LABEL_INPUTS_SHA256, LABEL_NEEDS_BINARIES, LABEL_NEEDS_PACKAGES } from '../core/engine/labels';
import type { Recipe } from '../core/recipe/types';
import { runPlan } from '../core/run/runner';
import { fromRunEvent, type BuildEventInit } from '../core/run/events';
import { providerLines } from './needs';
import type { CliIO } from './subcommand';
import { reportUpToDate } from './upToDate';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const readTextFile = (path: string): string | undefined => { try { return readFileSync(path, 'utf8'); } catch { return undefined; } };

/** The recipe of the root a runtime image draws from: the same release and packages, none of the runtime fields. */
export function rootRecipeOf(recipe: Recipe): Recipe {
  const { profile: _p, runtime: _r, config: _c, verify: _v, ...rest } = recipe;
  return rest;
}

/** The binaries of `runtime:` as the analysis takes them: a file beside the recipe, or a path in the root; /bin/sh when asked. */
export function runtimeSpecs(recipe: Recipe, recipeDir: string, fromStages: ReadonlyMap<number, string> = new Map()): { specs: BinarySpec[]; at: Map<string, string> } {
  const specs: BinarySpec[] = [];
  const at = new Map<string, string>();
  for (const [i, b] of (recipe.runtime?.binaries ?? []).entries()) {
    const extracted = fromStages.get(i);
    const spec = extracted !== undefined ? { path: extracted, outside: true } : b.path.startsWith('/') ? { path: b.path } : { path: resolve(recipeDir, b.path), outside: true };
    specs.push(spec);
    at.set(spec.path, runtimeDestination(b));
  }
  if (recipe.runtime?.shell === true) specs.push({ path: '/bin/sh' });
  return { specs, at };
}

/** Why the report cannot become an image: a binary unreadable, or a file missing (with the package that has it, when one does). */
function reportProblem(report: NeedsReport, index: PackageIndex): string | undefined {
  const bad = report.binaries.find((b) => b.error !== undefined);
  if (bad) return `${bad.path}: ${bad.error}`;
  const lost = report.binaries.flatMap((b) => b.missing.map((m) => `${m.soname} (${m.reason})`));
  if (lost.length > 0) {
    const root = report.root;
    return `missing from the root: ${lost.join(', ')}; add the package that provides it to packages: (${providerLines(report, index, root).join('; ')})`;
  }
  return undefined;
}

/**
 * `ownbase build` of a `profile: runtime` recipe: the recipe's release is bootstrapped with its packages by the
 * normal plan (bootstrap, .deb cache, upgrade), or `--from-rootfs DIR` is taken as that root; the import step
 * then stages only what `runtime.binaries` need from that root (elf/image.ts, as `needs --image`) and imports
 * that. The root is removed with the work folder (kept with `--keep-rootfs`).
 */
export interface RuntimeBuild {
  readonly loaded: { readonly recipe: Recipe; readonly path: string; readonly display: string; readonly sha256: string };
  readonly args: { readonly tag?: string; readonly output?: string; readonly fromRootfs?: string; readonly writeLock?: boolean; readonly force?: boolean; readonly cacheDir?: string; readonly noChecks?: boolean };
  readonly host: Pick<BuildHost, 'has' | 'hostArch'>;
  /** The build's own plan of a recipe (build.ts planFor), with the output archive when there is no engine. */
  readonly planOf: (recipe: Recipe, output: string | undefined) => Promise<{ plan: Plan; workBase: string; cacheRoot: string }>;
}

/**
 * The inputs label of a runtime image (build/inputs.ts): the recipe, the architecture, the plan and staging
 * versions, and the bytes of every binary taken from outside the root. A binary at a path in the root is the
 * recipe's packages', which the recipe names. With `fromRoot` (a `--from-rootfs` folder, which no recipe decides)
 * the root's part too: every file the binaries need from it, by its bytes, its os-release and the package
 * versions whose metadata the image keeps; what is unreadable there leaves the image without inputs.
 */
export function runtimeInputs(loaded: RuntimeBuild['loaded'], arch: string, specs: readonly BinarySpec[], at: ReadonlyMap<string, string>, fromRoot?: string): string | undefined {
  const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
  const binaries: Record<string, string> = {};
  for (const s of specs) if (s.outside === true) binaries[at.get(s.path) ?? s.path] = sha(s.path);
  if (fromRoot !== undefined) {
    try {
      const root = new RootFs(fromRoot);
      const index = new PackageIndex(root);
      const report = needsOf(fromRoot, specs, { resolver: new Resolver(root), index });
      if (reportProblem(report, index) !== undefined) return undefined;
      for (const b of report.binaries) {
        if (!b.outside) binaries[`root:${b.path}`] = sha(root.host(root.real(b.path) ?? b.path));
        for (const n of b.needed) binaries[`root:${n.file}`] = sha(root.host(n.real));
      }
      const release = root.real('/etc/os-release');
      if (release !== undefined) binaries['root:/etc/os-release'] = sha(root.host(release));
      const withs = new Set(loaded.recipe.runtime?.with ?? []);
      for (const p of [...report.packages, ...index.packages.filter((x) => withs.has(x.name))]) binaries[`package:${p.name}`] = `${p.version} ${p.arch}`;
    } catch { return undefined; }
  }
  return inputsSha256({ recipeSha256: loaded.sha256, arch, runtime: { stageVersion: STAGE_VERSION, binaries } });
}

export async function buildRuntime(b: RuntimeBuild, io: CliIO, emit: (e: BuildEventInit) => void): Promise<number> {
  const { loaded, args: a, host } = b;
  const { recipe } = loaded;
  const recipeDir = dirname(loaded.path);
  const extractDir = mkdtempSync(join(tmpdir(), 'ownbase-runtime-stage-bin-'));
  try {
    let fromStages: Map<number, string>;
    try {
      fromStages = await binariesFromStages(recipe, recipeDir, extractDir, emit, io.signal);
    } catch (e) {
      emit({ type: 'error', code: 'step-failed', message: `${loaded.display}: ${message(e)}` });
      return 1;
    }
    return await buildWith(b, io, emit, runtimeSpecs(recipe, recipeDir, fromStages));
  } finally {
    rmSync(extractDir, { recursive: true, force: true });
  }
}

/** Runs a process (argv) to its end: its exit code and output. */
function runArgv(argv: readonly string[], signal?: AbortSignal): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const p = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...(signal && { signal }) });
    let output = '';
    p.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    p.on('error', (e) => done({ code: 127, output: `${output}${e.message}` }));
    p.on('close', (c) => done({ code: c ?? 1, output }));
  });
}

/**
 * The binaries a recipe takes from a Dockerfile stage (`stage:`): each stage built once with `docker build
 * --target`, the file copied out of a container of it into `dir`. Index of the binary -> the file here.
 */
async function binariesFromStages(recipe: Recipe, recipeDir: string, dir: string, emit: (e: BuildEventInit) => void, signal?: AbortSignal): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const images = new Map<string, string>();
  const made: string[] = [];
  try {
    for (const [i, b] of (recipe.runtime?.binaries ?? []).entries()) {
      if (b.stage === undefined) continue;
      const dockerfile = resolve(recipeDir, b.dockerfile ?? 'Dockerfile');
      const key = `${dockerfile}\0${b.stage}`;
      let image = images.get(key);
      if (image === undefined) {
        image = `ownbase-tmp/runtime-stage-${randomBytes(6).toString('hex')}:build`;
        const argv = ['docker', 'build', '--target', b.stage, '-f', dockerfile, '-t', image, dirname(dockerfile)];
        emit({ type: 'note', level: 'info', text: `building stage ${b.stage} of ${dockerfile} for its binary: ${argv.join(' ')}` });
        const r = await runArgv(argv, signal);
        if (r.code !== 0) throw new Error(`docker build --target ${b.stage} of ${dockerfile} failed (exit ${r.code}):\n${r.output.slice(-2000)}`);
        made.push(image);
        images.set(key, image);
      }
      const c = await runArgv(['docker', 'create', image, '/ownbase-never-runs'], signal);
      if (c.code !== 0) throw new Error(`docker create ${image}: ${c.output.trim()}`);
      const id = c.output.trim().split('\n').pop()!;
      const file = join(dir, `${i}-${b.path.slice(b.path.lastIndexOf('/') + 1)}`);
      const cp = await runArgv(['docker', 'cp', '-L', `${id}:${b.path}`, file], signal);
      await runArgv(['docker', 'rm', '-f', id]);
      if (cp.code !== 0) throw new Error(`stage ${b.stage} of ${dockerfile} has no file ${b.path}: ${cp.output.trim()}`);
      out.set(i, file);
    }
  } finally {
    if (made.length > 0) await runArgv(['docker', 'rmi', '-f', ...made]);
  }
  return out;
}

async function buildWith(b: RuntimeBuild, io: CliIO, emit: (e: BuildEventInit) => void, { specs, at }: { specs: BinarySpec[]; at: Map<string, string> }): Promise<number> {
  const { loaded, args: a, host } = b;
  const { recipe } = loaded;
  for (const s of specs) {
    if (s.outside === true && !(existsSync(s.path) && statSync(s.path).isFile())) {
      emit({ type: 'error', code: 'recipe', message: `${loaded.display}: runtime binary ${s.path}: no such file (a relative path is read beside the recipe)` });
      return 1;
    }
  }
  if (a.writeLock === true) emit({ type: 'note', level: 'warning', text: '--write-lock: a runtime recipe has no lock of its own yet; none written' });

  const engine = await import('../core/engine/connect');
  const { resolveEngineEndpoint } = await import('../core/engine/endpoint');
  const { importRootfs, writeOciArchive } = await import('../core/engine/import');
  let docker: ReturnType<typeof engine.connectEngine>;
  try {
    docker = engine.connectEngine(resolveEngineEndpoint());
  } catch (e) {
    emit({ type: 'error', code: 'engine', message: message(e) });
    return 1;
  }
  let output = a.output;
  if (output === undefined && !(await engine.engineReachable(docker))) {
    output = `${(a.tag ?? recipe.image).replace(/[^A-Za-z0-9._-]+/g, '_')}.oci.tar`;
    emit({ type: 'note', level: 'warning', text: `no Docker engine reachable at ${engine.engineAddressOf(docker)}: the image goes to an archive, ${resolve(io.cwd, output)} (load it with docker load -i)` });
  }

  let plan: Plan;
  let workBase: string;
  let cacheRoot: string;
  try {
    ({ plan, workBase, cacheRoot } = await b.planOf(rootRecipeOf(recipe), output));
  } catch (e) {
    if (e instanceof PlanError) { emit({ type: 'error', code: 'plan', message: `${loaded.display}: ${e.message}` }); return 1; }
    throw e;
  }
  // From a --from-rootfs folder, the files taken from it are inputs too (read now, before any step runs).
  const inputs = runtimeInputs(loaded, recipe.arch ?? host.hostArch, specs, at, a.fromRootfs !== undefined ? resolve(io.cwd, a.fromRootfs) : undefined);
  if (inputs !== undefined && output === undefined && a.force !== true) {
    if (await reportUpToDate(docker, inputs, a.tag ?? recipe.image, { cacheRoot, covers: 'recipe, binaries, plan version', startedAt: Date.now(), checks: a.noChecks !== true }, emit)) return 0;
  }

  const tag = a.tag ?? recipe.image;
  const names = specs.map((s) => s.path.slice(s.path.lastIndexOf('/') + 1)).join(', ');
  const steps: Step[] = plan.steps.map((s) => (s.kind === 'import' || s.kind === 'archive'
    ? { ...s, title: `stage what ${names} need${specs.length === 1 ? 's' : ''} from ${plan.rootfs}; ${s.kind === 'import' ? `import as ${tag}` : `write ${plan.output}`}`, why: 'profile: runtime: only the binaries, the files they need (interpreter, libraries, files loaded by name), the dpkg metadata of their packages (status.d), /etc/passwd and /tmp; no apt, no dpkg tools, no shell unless asked.' }
    : s));
  const run: Plan = { ...plan, steps, image: { ...plan.image, tag } };
  if (a.fromRootfs === undefined && !host.has(plan.bootstrapTool)) {
    emit({ type: 'error', code: 'host', message: `${plan.bootstrapTool} is not installed: apt-get install ${plan.bootstrapTool}` });
    return 1;
  }
  emit({
    type: 'plan', recipe: loaded.display, image: tag, bootstrapTool: plan.bootstrapTool, rootfs: plan.rootfs, keepRootfs: plan.keepRootfs,
    fromRootfs: a.fromRootfs !== undefined, ...(plan.mirror !== undefined && { mirror: plan.mirror }),
    mirrorSource: plan.mirror === undefined ? 'default' : recipe.mirror === undefined ? 'host' : 'recipe',
    ...(plan.cache && { cache: { dir: plan.cache.dir, warm: plan.cache.warm, ...(!plan.cache.warm && { reason: 'cold' }) } }),
    ...(plan.output !== undefined && { output: plan.output }),
    steps: steps.map((s) => ({ id: s.id, kind: s.kind, title: s.title, why: s.why, argv: s.argv, needsRoot: s.needsRoot })),
  });
  for (const w of plan.warnings) emit({ type: 'note', level: 'warning', text: w });

  const user = recipe.runtime?.user ?? 'nonroot';
  // The plan's inputs label names the root's recipe; the runtime image's own inputs add its binaries.
  const { [LABEL_INPUTS_SHA256]: _inputs, ...rest } = plan.image.labels;
  const labels = { ...rest, ...(inputs !== undefined && { [LABEL_INPUTS_SHA256]: inputs }), ...(a.noChecks === true && { [LABEL_CHECKS]: CHECKS_SKIPPED }) };
  let built: { tag: string; pending?: string; size: number; layerGzipSize: number; id?: string; archive?: string; files: number; packages: readonly string[] } | undefined;
  // With checks, the image never takes the final name before they pass (as a base build's, cli/buildChecks.ts).
  const { discardPending, pendingTag } = await import('../core/checks/tags');
  const pending = a.noChecks !== true ? pendingTag(tag) : undefined;
  const stageFrom = (signal: AbortSignal): { stage: string; done: () => void; entrypoint: string; files: number; packages: readonly string[]; arch?: string } => {
    signal.throwIfAborted();
    const root = new RootFs(plan.rootfs);
    const resolver = new Resolver(root);
    const index = new PackageIndex(root);
    const report = needsOf(plan.rootfs, specs, { resolver, index });
    const problem = reportProblem(report, index);
    if (problem !== undefined) throw new Error(problem);
    const stage = mkdtempSync(join(workBase, 'ownbase-runtime-stage-'));
    try {
      const staged = stageImage(report, root, index, stage, { user, with: recipe.runtime?.with ?? [], at });
      return { stage, done: () => rmSync(stage, { recursive: true, force: true }), entrypoint: staged.entrypoint, files: staged.files.length, packages: staged.packages, ...(staged.arch !== undefined && { arch: staged.arch }) };
    } catch (e) {
      rmSync(stage, { recursive: true, force: true });
      throw e;
    }
  };
  const requestOf = (s: { entrypoint: string; packages: readonly string[] }) => ({
    tag, arch: plan.arch,
    config: { entrypoint: [s.entrypoint], user, ...recipe.config },
    labels: { ...labels, [LABEL_NEEDS_BINARIES]: specs.map((b) => at.get(b.path) ?? b.path).join(' '), [LABEL_NEEDS_PACKAGES]: s.packages.join(' ') },
    ...(sourceDateEpoch(plan) !== undefined && { sourceDateEpoch: sourceDateEpoch(plan)! }),
  });
  const started = Date.now();
  const result = await runPlan(run, {
    ...(io.signal && { signal: io.signal }),
    onEvent: (e) => { const b = fromRunEvent(e); if (b) emit(b); },
    handlers: {
      import: async (_step, ctx) => {
        const s = stageFrom(ctx.signal);
        try {
          const r = await importRootfs(docker, { ...requestOf(s), ...(pending !== undefined && { tag: pending }), rootfs: s.stage, signal: ctx.signal, workDir: workBase });
          built = { tag: formatTagName(parseTagName(tag)), ...(pending !== undefined && { pending: r.tag }), size: r.size, layerGzipSize: r.layerGzipSize, id: r.id, files: s.files, packages: s.packages };
          recordLayerGzipSize(cacheRoot, r.id, r.layerGzipSize);
        } finally { s.done(); }
      },
      archive: async (_step, ctx) => {
        const s = stageFrom(ctx.signal);
        try {
          const r = await writeOciArchive(s.stage, plan.output!, { ...requestOf(s), signal: ctx.signal });
          built = { tag, size: r.size, layerGzipSize: r.layerGzipSize, archive: r.path, files: s.files, packages: s.packages };
        } finally { s.done(); }
      },
    },
  });
  if (result.outcome !== 'succeeded' && pending !== undefined) await discardPending(pending);
  const seconds = (Date.now() - started) / 1000;
  if (result.outcome === 'cancelled') {
    emit({ type: 'error', code: 'cancelled', message: `build cancelled after ${seconds.toFixed(1)} s; ${result.mountsLeft.length === 0 ? 'nothing left mounted' : 'mounts left (see above)'}` });
    return 130;
  }
  if (result.outcome === 'failed' || built === undefined) {
    emit({ type: 'error', code: 'step-failed', message: `${result.failedStep?.title ?? 'the build'} failed: ${result.error ?? 'unknown error'}`, ...(result.failedStep && { step: result.failedStep.id }) });
    return 1;
  }
  emit({ type: 'note', level: 'info', text: `runtime image: ${built.files} files from ${built.packages.length > 0 ? built.packages.join(', ') : 'no package'}` });
  if (a.noChecks !== true && built.id !== undefined) {
    // No shell in the image: its checks run each program as its own container and read its files (checks/runtime.ts).
    const { runBuildChecks } = await import('./buildChecks');
    const checked = await runBuildChecks(recipe, readTextFile(loaded.path), { image: built.pending ?? built.tag, tag: built.tag }, emit, io.signal);
    if (checked === 'cancelled') {
      emit({ type: 'error', code: 'cancelled', message: `build cancelled during the checks, after ${((Date.now() - started) / 1000).toFixed(1)} s; the image was not kept` });
      return 130;
    }
    if (checked === 'failed') return 1;
  } else if (a.noChecks !== true) emit({ type: 'note', level: 'info', text: 'checks not run: the image is an archive (load it, then run ownbase test RECIPE)' });
  emit({
    type: 'result', tag: built.tag, seconds, size: built.size, layerGzipSize: built.layerGzipSize,
    ...(built.id !== undefined && { id: built.id }), ...(built.archive !== undefined && { archive: built.archive }),
    ...(plan.keepRootfs && a.fromRootfs === undefined && { keptRootfs: plan.rootfs }),
    ...(inputs !== undefined && { inputsSha256: inputs }),
  });
  return result.cleanupFailures.length > 0 || result.mountsLeft.length > 0 ? 1 : 0;
}
