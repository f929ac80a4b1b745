import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Diagnostic } from '../core/kernel/diagnostic';
import { probeCache, type CacheProbe } from '../core/build/cache';
import { DEFAULT_CACHE_ROOT, defaultWorkBase, detectBuildHost, type BuildHost } from '../core/build/host';
import { planBuild, PlanError, sourceDateEpoch, updatesApplied, updatesLabels, updatesSummary } from '../core/build/plan';
import type { Plan } from '../core/build/types';
import { CHECKS_SKIPPED, LABEL_CHECKS, LABEL_INPUTS_SHA256 } from '../core/engine/labels';
import { checkLockedDebs, fetchLockedDebs, formatLock, lockedWithoutStanza, lockFromBuild, lockedRepoDir, lockPathFor, readLockBeside, writeLockedRepository, LockError, type LoadedLock } from '../core/build/lock';
import { inputsSha256, recordLayerGzipSize } from '../core/build/inputs';
import { archiveState, probeRootfsCache, releaseIndexes, releaseUrls, rootfsCacheKey, type RootfsCacheEntry } from '../core/build/rootfsCache';
import type { Builder, Recipe } from '../core/recipe/types';
import { updateSuites } from '../core/recipe/suites';
import { loadRecipe } from '../core/recipe';
import { runPlan } from '../core/run/runner';
import { formatBuildEvent, fromRunEvent, type BuildEvent, type BuildEventInit } from '../core/run/events';
import { renderBuildEvent } from '../core/run/render';
import { formatText } from './format';
import type { CliIO, Subcommand } from './subcommand';
import { reportUpToDate } from './upToDate';
import { MAX_FILE_BYTES, readInput } from './readInput';
import { encodingDiagnostic } from '../core/lint/encoding';
import { LineIndex } from '../core/kernel/text';
import { UsageError } from './usageError';
import { takeSbomArgs, writeBuildSbom, type SbomRequest } from './buildSbom';
import { formatTagName, parseTagName } from '../core/kernel/imageRef';

export interface BuildArgs {
  recipe: string;
  tag?: string;
  builder?: Builder;
  output?: string;
  keepRootfs?: string;
  fromRootfs?: string;
  workdir?: string;
  cacheDir?: string;
  noCache: boolean;
  /** `build`: neither use nor fill the rootfs cache (build/rootfsCache.ts); verify rebuilds in full. */
  noRootfsCache?: boolean;
  /** `build`: rebuild even when an image with the same inputs exists. */
  force?: boolean;
  /** `build --write-lock`, `lock`: write NAME.ownbase.lock from what the build installed. */
  writeLock?: boolean;
  /** `lock`: resolve against the archive again, ignoring the lock beside the recipe. */
  relock?: boolean;
  /** `build`: skip the recipe's checks after the build. */
  noChecks?: boolean;
  /** `build`: how progress is written (default text). */
  progress?: 'text' | 'json';
  /** `script`: where the script goes. */
  out?: string;
}

/** Every option of `build` and `script`; each command allows its own subset. */
const OPTIONS = {
  'tag': { type: 'string' }, 'builder': { type: 'string' }, 'output': { type: 'string' }, 'keep-rootfs': { type: 'string' },
  'from-rootfs': { type: 'string' }, 'workdir': { type: 'string' }, 'cache-dir': { type: 'string' }, 'no-cache': { type: 'boolean' },
  'no-rootfs-cache': { type: 'boolean' },
  'force': { type: 'boolean' }, 'write-lock': { type: 'boolean' }, 'no-checks': { type: 'boolean' },
  'progress': { type: 'string' }, 'out': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;
type OptionName = keyof typeof OPTIONS;

const FLAGS = new Set(['--tag', '--builder', '--output', '--keep-rootfs', '--from-rootfs', '--workdir', '--cache-dir', '--no-cache', '--no-rootfs-cache', '--progress', '--force', '--write-lock', '--no-checks']);

/** The options `build` and `script` share (node:util parseArgs; `--flag value` and `--flag=value`). */
export function parseBuildArgs(args: readonly string[], allowed: ReadonlySet<string> = FLAGS): BuildArgs {
  const { tokens } = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  const out: Partial<BuildArgs> & { noCache: boolean } = { noCache: false };
  for (const t of tokens) {
    if (t.kind === 'option-terminator') continue;
    if (t.kind === 'positional') {
      if (out.recipe !== undefined) throw new UsageError(`one recipe at a time ('${out.recipe}', then '${t.value}')`);
      out.recipe = t.value;
      continue;
    }
    const flag = t.rawName;
    if (!Object.hasOwn(OPTIONS, t.name) || !allowed.has(flag) || !flag.startsWith('--')) {
      throw new UsageError(`unknown option '${t.inlineValue ? `${flag}=${t.value}` : flag}'`);
    }
    const name = t.name as OptionName;
    if (OPTIONS[name].type === 'boolean') {
      if (t.value !== undefined) throw new UsageError(`${flag} takes no value`);
      if (name === 'force') out.force = true;
      else if (name === 'write-lock') out.writeLock = true;
      else if (name === 'no-checks') out.noChecks = true;
      else if (name === 'no-rootfs-cache') out.noRootfsCache = true;
      else out.noCache = true;
      continue;
    }
    const v = t.value;
    if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
    switch (name) {
      case 'tag': out.tag = v; break;
      case 'builder':
        if (v !== 'debootstrap' && v !== 'mmdebstrap') throw new UsageError(`--builder must be debootstrap or mmdebstrap, not '${v}'`);
        out.builder = v; break;
      case 'progress':
        if (v !== 'text' && v !== 'json') throw new UsageError(`--progress must be text or json, not '${v}'`);
        out.progress = v; break;
      case 'output': out.output = v; break;
      case 'keep-rootfs': out.keepRootfs = v; break;
      case 'from-rootfs': out.fromRootfs = v; break;
      case 'workdir': out.workdir = v; break;
      case 'cache-dir': out.cacheDir = v; break;
      case 'out': out.out = v; break;
    }
  }
  if (out.recipe === undefined) throw new UsageError('which recipe? e.g. examples/bookworm-slim.ownbase.yaml');
  if (out.keepRootfs !== undefined && out.fromRootfs !== undefined) throw new UsageError('--keep-rootfs and --from-rootfs exclude each other');
  return out as BuildArgs;
}

export interface LoadedRecipe { readonly recipe: Recipe; readonly path: string; readonly display: string; readonly sha256: string }

/**
 * Reads (a regular file, at most `maxBytes`) and validates a recipe; prints its diagnostics. A number: what was
 * wrong was printed, exit with it.
 */
export function readRecipe(file: string, io: CliIO, maxBytes = MAX_FILE_BYTES.recipe): LoadedRecipe | 1 | 2 {
  const path = resolve(io.cwd, file);
  const read = readInput(path, maxBytes);
  if (!read.ok) {
    io.stderr.write(`ownbase: cannot read ${file}: ${read.reason}\n`);
    return 2;
  }
  const { bytes, text, invalidUtf8 } = read.file;
  const loaded = loadRecipe(text);
  const { recipe } = loaded;
  const diagnostics = invalidUtf8 ? [encodingDiagnostic(new LineIndex(text), invalidUtf8), ...loaded.diagnostics] : loaded.diagnostics;
  const shown: Diagnostic[] = diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning');
  if (shown.length > 0 || !recipe) io.stderr.write(formatText([{ path: file, kind: 'recipe', text, diagnostics: shown }]));
  if (!recipe || invalidUtf8) return 1;
  const rel = relative(io.cwd, path);
  const display = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  return { recipe, path, display, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The hash of what decides the image (build/inputs.ts): its `dev.ownbase.inputs.sha256` label. */
export function buildInputs(loaded: LoadedRecipe, host: Pick<BuildHost, 'hostArch'>, lock: LoadedLock | undefined): string {
  return inputsSha256({ recipeSha256: loaded.sha256, arch: loaded.recipe.arch ?? host.hostArch, ...(lock && { lockSha256: lock.sha256 }) });
}

/** The plan `build` would run with these arguments on this machine (also what `script` prints). */
export function planFor(loaded: LoadedRecipe, args: BuildArgs, host: BuildHost, io: CliIO, opts: { workdirName?: string; output?: string; rootfsCache?: RootfsCacheEntry } = {}): { plan: Plan; cache?: CacheProbe; workBase: string; cacheRoot: string; lock?: LoadedLock } {
  const { recipe } = loaded;
  const arch = recipe.arch ?? host.hostArch;
  const cacheRoot = args.cacheDir !== undefined ? resolve(io.cwd, args.cacheDir) : DEFAULT_CACHE_ROOT;
  const cache = args.noCache || args.fromRootfs !== undefined ? undefined : probeCache(cacheRoot, recipe, arch);
  const warm = cache?.warm === true && host.has('mmdebstrap') && host.fileMirrorHook;
  const base = args.workdir !== undefined ? resolve(io.cwd, args.workdir) : defaultWorkBase();
  const slug = (args.tag ?? recipe.image).replace(/[^A-Za-z0-9._-]+/g, '-');
  const hostMirror = recipe.mirror === undefined ? host.mirror(recipe.distro) : undefined;
  const hostSecurityMirror = recipe.security_mirror === undefined ? host.securityMirror(recipe.distro) : undefined;
  const output = opts.output ?? args.output;
  const lock = args.relock === true || args.fromRootfs !== undefined ? undefined : readLockBeside(loaded.path);
  if (lock && !cache) throw new LockError(`${lock.path}: a lock installs from the package cache: build without --no-cache`);
  const inputs = buildInputs(loaded, host, lock);
  const plan = planBuild(recipe, {
    hostArch: host.hostArch,
    workdir: `${base}/ownbase-${slug}${opts.workdirName ?? ''}`,
    ...(args.builder && { builder: args.builder }),
    mmdebstrapInstalled: host.has('mmdebstrap'),
    ...(args.keepRootfs !== undefined && { keepRootfs: resolve(io.cwd, args.keepRootfs) }),
    ...(args.fromRootfs !== undefined && { fromRootfs: resolve(io.cwd, args.fromRootfs) }),
    ...(cache && { cache: { dir: cache.dir, warm } }),
    ...(hostMirror !== undefined && { hostMirror }),
    ...(hostSecurityMirror !== undefined && { hostSecurityMirror }),
    toolDefaults: host.toolDefaults(recipe.distro, arch),
    mergedUsrHook: host.mergedUsrHook,
    ...(args.tag !== undefined && { tag: args.tag }),
    ...(output !== undefined && { output: resolve(io.cwd, output) }),
    recipePath: loaded.display,
    recipeSha256: loaded.sha256,
    // A --from-rootfs image is made of a folder, not of the recipe's inputs: it must never be "up to date" for them.
    ...(args.fromRootfs === undefined && { inputsSha256: inputs }),
    ...(lock && cache && { lockedRepo: lockedRepoDir(cache.dir, lock.sha256) }),
    ...(lock?.lock.archive.sourceDateEpoch !== undefined && { sourceDateEpoch: lock.lock.archive.sourceDateEpoch }),
    ...(args.writeLock === true && { recordPackages: true }),
    ...(opts.rootfsCache && { rootfsCache: opts.rootfsCache }),
  });
  return { plan, ...(cache && { cache }), workBase: base, cacheRoot, ...(lock && { lock }) };
}

const USAGE = `usage: ownbase build RECIPE [--tag NAME] [--builder debootstrap|mmdebstrap] [--output FILE.tar]
                     [--keep-rootfs DIR | --from-rootfs DIR] [--workdir DIR] [--cache-dir DIR] [--no-cache]
                     [--force] [--write-lock] [--no-checks] [--progress text|json]
                     [--sbom FILE [--sbom-format spdx-json|cyclonedx-json]]

Builds the recipe's image as root: bootstrap (debootstrap or mmdebstrap), packages installed in a
chroot, slimmed, imported into the Docker engine under the recipe's image name (or --tag). Without a
reachable engine, or with --output, writes an OCI image archive (docker load -i FILE) instead.
  --keep-rootfs DIR   build the rootfs in DIR (empty or new) and keep it
  --from-rootfs DIR   only import DIR, e.g. the rootfs a failed import kept
  --workdir DIR       parent of the work folder (default: /dev/shm when it is a roomy tmpfs, else /var/tmp)
  --cache-dir DIR     downloaded packages, per distro/suite/arch (default ${DEFAULT_CACHE_ROOT}); a rebuild installs from it
  --no-cache          download everything and do not keep it (nor the rootfs)
  --no-rootfs-cache   bootstrap even when the rootfs cache holds this recipe's packages (the cache keeps each
                      rootfs before its slim step, keyed by distro, suite, arch, variant, builder, packages and
                      the lock's packages or the archive's Release files: a change of config, slim or remove
                      alone starts from it)
  --write-lock        write NAME.ownbase.lock beside the recipe: every package installed, with its version and SHA-256
  --force             build even when an image of the same inputs (recipe, lock, ownbase's plan version) exists;
                      without it such a build is done at once: "up to date", nothing runs
  --no-checks         do not run the recipe's checks (verify: and the built-in ones) on the image; when they run,
                      the image gets NAME only once they pass; when one fails, the build fails, the image is kept
                      as NAME-failed and NAME stays on the image it had
  --progress json     one JSON event per line on stdout ("v":1; plan, step-start, output, step-end, note,
                      result, error), for CI and editors; the default, text, is the same events for people
  --sbom FILE         after the build, write the image's SBOM (what ownbase inspect --format gives):
                      SPDX 2.3 for *.spdx.json, CycloneDX 1.5 for *.cdx.json, or as --sbom-format says
Ctrl-C cancels: the running step's process tree is killed, mounts are undone, the work folder removed.
Exit 0 built, 1 failed (recipe errors, a step failed), 2 usage, 130 cancelled.`;

const WHY_ROOT = 'build needs root: debootstrap and mmdebstrap create device nodes and files owned by other users, '
  + 'chroot needs CAP_SYS_CHROOT and the bind mounts of /dev, /run and /proc need CAP_SYS_ADMIN. Run it with sudo (sudo ownbase build …).';

export const command: Subcommand = {
  summary: 'build a recipe into an image: bootstrap, chroot, slim, import',
  usage: USAGE,
  run: (args, io) => build(args, io),
};

const LOCK_USAGE = `usage: ownbase lock RECIPE [build options]

Resolves the recipe against its archive and writes NAME.ownbase.lock beside it: the archive (mirror, suite,
components, the Release file's date and SHA-256, SOURCE_DATE_EPOCH) and every package that goes into the image
(name, version, architecture, source, .deb filename, size, SHA-256), one a line in name order. It builds the image
it locks (the lock is what really went in; a lock beside the recipe is ignored), so it takes build's options and
needs root. From then on ownbase build installs exactly the locked versions from the package cache, each .deb
checked against its SHA-256 first; ownbase outdated tells which have newer versions.`;

export const lockCommand: Subcommand = {
  summary: 'write NAME.ownbase.lock: every package of the image, pinned (builds the image it locks)',
  usage: LOCK_USAGE,
  run: (args, io) => build([...args, '--write-lock', '--force'], io, { relock: true }),
};

/** `--progress json` asked for, judged before the options are parsed (a usage error is an event too). */
function wantsJson(args: readonly string[]): boolean {
  return args.some((a, i) => a === '--progress=json' || (a === '--progress' && args[i + 1] === 'json'));
}

/** Where build events go: JSON lines on stdout, or their human text (one renderer for the CLI and VS Code). */
function eventSink(io: CliIO, json: boolean): (e: BuildEventInit) => void {
  if (json) return (e) => { io.stdout.write(formatBuildEvent(e)); };
  return (e) => {
    for (const c of renderBuildEvent({ v: 1, ...e } as BuildEvent)) (c.stream === 'stderr' ? io.stderr : io.stdout).write(c.text);
  };
}

const epochOf = (plan: Plan): { sourceDateEpoch?: number } => {
  const e = sourceDateEpoch(plan);
  return e !== undefined ? { sourceDateEpoch: e } : {};
};

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The rootfs cache's entry for this plan (build/rootfsCache.ts): keyed by the lock's packages, or without a lock by what
 * the archive's Release files say now of the Packages indices the build reads (a few kilobytes read). Undefined when the archive cannot be read.
 */
async function rootfsCacheEntry(plan: Plan, lock: LoadedLock | undefined, host: BuildHost, cacheRoot: string, writeLock: boolean, signal?: AbortSignal): Promise<RootfsCacheEntry | undefined> {
  let releases: string[] | undefined;
  if (!lock) {
    const mirror = plan.mirror ?? host.toolDefaults(plan.recipe.distro, plan.arch).mirror;
    if (mirror === undefined) return undefined;
    releases = await archiveState(releaseUrls(plan, mirror), releaseIndexes(plan), signal);
    if (releases === undefined) return undefined;
  }
  const key = rootfsCacheKey({ plan, ...(lock && { lock: lock.lock }), ...(releases && { releases }) });
  // A lock written from a cached rootfs needs what its bootstrap installed (and, without a lock, the release's record).
  return probeRootfsCache(cacheRoot, key, writeLock ? ['packages', ...(lock ? [] : ['release' as const])] : []);
}

/** `ownbase build` with these arguments (what `lock` and `verify` run). */
export async function runBuild(args: readonly string[], io: CliIO, extra: Pick<BuildArgs, 'relock'> = {}): Promise<number> {
  return build(args, io, extra);
}

async function build(args: readonly string[], io: CliIO, extra: Pick<BuildArgs, 'relock'> = {}): Promise<number> {
  const json = wantsJson(args);
  const emit = eventSink(io, json);
  try {
    return await buildWith(args, io, emit, extra);
  } catch (e) {
    // runCli prints a usage error with the usage, main.ts anything else; a JSON reader gets the event too.
    if (json) emit({ type: 'error', code: e instanceof Error && e.name === 'UsageError' ? 'usage' : 'internal', message: message(e) });
    throw e;
  }
}

async function buildWith(args: readonly string[], io: CliIO, emit: (e: BuildEventInit) => void, extra: Pick<BuildArgs, 'relock'>): Promise<number> {
  const { rest, sbom } = takeSbomArgs(args);
  const a = { ...parseBuildArgs(rest), ...extra };
  let diagnostics = '';
  const loaded = readRecipe(a.recipe, { ...io, stderr: { write: (s: string) => (diagnostics += s) } });
  if (typeof loaded === 'number') {
    const why = loaded === 2 ? diagnostics.trim().replace(/^ownbase: /, '') : `${a.recipe} is not a valid recipe`;
    emit({ type: 'error', code: 'recipe', message: why, detail: diagnostics });
    return loaded;
  }
  if (diagnostics !== '') io.stderr.write(diagnostics); // warnings: the build goes on
  const host = detectBuildHost();
  if (!host.isRoot) { emit({ type: 'error', code: 'host', message: WHY_ROOT }); return 1; }
  if (a.keepRootfs !== undefined) {
    const dir = resolve(io.cwd, a.keepRootfs);
    if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
      throw new UsageError(`--keep-rootfs ${a.keepRootfs}: must be a new or empty folder`);
    }
  }
  if (a.fromRootfs !== undefined && !existsSync(resolve(io.cwd, a.fromRootfs, 'etc'))) {
    throw new UsageError(`--from-rootfs ${a.fromRootfs}: not a root file system (no etc/)`);
  }
  // A runtime recipe draws its image from a bootstrapped root: its own flow (buildRuntime.ts).
  if (loaded.recipe.profile === 'runtime') {
    // The root's plan, from the rootfs cache when it holds the root's release and packages (as a base build's).
    const planOf = async (recipe: Recipe, output: string | undefined) => {
      const root = { ...loaded, recipe };
      const args = { ...a, writeLock: false };
      const opts = { workdirName: `-${randomBytes(4).toString('hex')}`, ...(output !== undefined && { output }) };
      const planned = planFor(root, args, host, io, opts);
      if (!planned.plan.cache || a.fromRootfs !== undefined || a.noRootfsCache === true) return planned;
      const entry = await rootfsCacheEntry(planned.plan, planned.lock, host, planned.cacheRoot, false, io.signal);
      return entry ? planFor(root, args, host, io, { ...opts, rootfsCache: entry }) : planned;
    };
    return (await import('./buildRuntime')).buildRuntime({ loaded, args: a, host, planOf }, io, emit);
  }

  // The engine is loaded only when a build gets this far: `script` and usage errors never need it.
  const engine = await import('../core/engine/connect');
  const { resolveEngineEndpoint, isRemoteEndpoint } = await import('../core/engine/endpoint');
  const importer = await import('../core/engine/import');
  const { importRootfs, writeOciArchive } = importer;
  let docker: ReturnType<typeof engine.connectEngine>;
  let endpoint: ReturnType<typeof resolveEngineEndpoint>;
  try {
    // The engine as the docker CLI picks it (DOCKER_HOST with its TLS variables, the docker context, the socket);
    // VS Code passes the one its view shows in those variables.
    endpoint = resolveEngineEndpoint();
    docker = engine.connectEngine(endpoint);
  } catch (e) {
    emit({ type: 'error', code: 'engine', message: message(e) });
    return 1;
  }
  let output = a.output;
  if (output === undefined && !(await engine.engineReachable(docker))) {
    output = `${(a.tag ?? loaded.recipe.image).replace(/[^A-Za-z0-9._-]+/g, '_')}.oci.tar`;
    emit({ type: 'note', level: 'warning', text: `no Docker engine reachable at ${engine.engineAddressOf(docker)}: the image goes to an archive, ${resolve(io.cwd, output)} (load it with docker load -i)` });
  } else if (output === undefined && isRemoteEndpoint(endpoint.host)) {
    emit({ type: 'note', level: 'info', text: `the Docker engine at ${endpoint.host}${endpoint.context !== undefined ? ` (docker context ${endpoint.context})` : ''} is remote: the rootfs is built on this machine and imported over that connection` });
  }

  if (output === undefined && a.fromRootfs === undefined && a.keepRootfs === undefined && a.force !== true && a.writeLock !== true) {
    const t0 = Date.now();
    let inputs: string;
    try {
      inputs = buildInputs(loaded, host, readLockBeside(loaded.path));
    } catch (e) {
      emit({ type: 'error', code: 'plan', message: message(e) });
      return 1;
    }
    const cacheRoot = a.cacheDir !== undefined ? resolve(io.cwd, a.cacheDir) : DEFAULT_CACHE_ROOT;
    const same = await reportUpToDate(docker, inputs, a.tag ?? loaded.recipe.image, { cacheRoot, covers: 'recipe, lock, plan version', startedAt: t0, checks: a.noChecks !== true }, emit);
    if (same) return await writeSbomIfAsked(sbom, { image: same.tag, docker, endpoint }, io, emit) ? 0 : 1;
  }

  let plan: Plan;
  let cache: CacheProbe | undefined;
  let workBase: string;
  let cacheRoot: string;
  let lock: LoadedLock | undefined;
  let rootfsEntry: RootfsCacheEntry | undefined;
  const planOpts = { workdirName: `-${randomBytes(4).toString('hex')}`, ...(output !== undefined && { output }) };
  try {
    ({ plan, cache, workBase, cacheRoot, lock } = planFor(loaded, a, host, io, planOpts));
    if (plan.cache && a.fromRootfs === undefined && a.noRootfsCache !== true) {
      rootfsEntry = await rootfsCacheEntry(plan, lock, host, cacheRoot, a.writeLock === true, io.signal);
      if (rootfsEntry) ({ plan } = planFor(loaded, a, host, io, { ...planOpts, rootfsCache: rootfsEntry }));
      else emit({ type: 'note', level: 'info', text: "rootfs cache not used: the archive's Release files or the package cache's index could not be read (their state is part of the key)" });
    }
  } catch (e) {
    if (e instanceof PlanError) { emit({ type: 'error', code: 'plan', message: `${loaded.display}: ${e.message}` }); return 1; }
    throw e;
  }
  if (rootfsEntry?.hit === true) {
    emit({ type: 'note', level: 'info', text: `rootfs from cache (key ${rootfsEntry.key}): only the config, slim or remove changed, so bootstrap, upgrade and packages do not run` });
  }
  if (lock && plan.cache && rootfsEntry?.hit !== true) {
    // What the cache lacks is downloaded (each checked against its SHA-256); then every locked .deb is checked before
    // anything installs: a mismatch, or a package the archive no longer has, stops the build here, naming the packages.
    const mirror = lock.lock.archive.mirror ?? plan.mirror ?? host.toolDefaults(plan.recipe.distro, plan.arch).mirror;
    const bases = [...new Set([mirror, plan.updates.securityMirror].filter((m): m is string => m !== undefined))];
    const got = await fetchLockedDebs(lock.lock, plan.cache.dir, bases, io.signal);
    if (got.fetched.length > 0) emit({ type: 'note', level: 'info', text: `lock: downloaded ${got.fetched.length} locked package${got.fetched.length === 1 ? '' : 's'} the cache lacked (each checked against its SHA-256): ${got.fetched.join(', ')}` });
    const problems = checkLockedDebs(lock.lock, plan.cache.dir, got.missingWhy);
    if (problems.length > 0) {
      emit({ type: 'error', code: 'plan', message: `${lock.path}: the locked packages cannot all be had; nothing was installed:\n  ${problems.join('\n  ')}`,
        hint: 'ownbase lock RECIPE writes a lock of what the archive has now (ownbase outdated RECIPE tells what changed)' });
      return 1;
    }
    try {
      // A .deb downloaded for the lock has no stanza in the cache: the archive's Packages indices give its own (with the
      // archive's Priority, which decides what the variant installs; a .deb's control often says another).
      const unknown = lockedWithoutStanza(lock.lock, plan.cache.dir, plan.arch);
      let indices: string[] = [];
      if (unknown.length > 0) {
        const { fetchPackages } = await import('../core/build/outdatedCheck');
        const { security } = updateSuites(plan.recipe.distro, plan.recipe.suite);
        const suites = [plan.recipe.suite, ...plan.updates.suites];
        indices = await Promise.all(suites.flatMap((suite) => lock!.lock.archive.components.map((c) =>
          fetchPackages(suite === security && plan.updates.securityMirror !== undefined ? plan.updates.securityMirror : bases[0]!, suite, c, plan.arch))));
      }
      writeLockedRepository(lock.lock, plan.cache.dir, plan.arch, lock.sha256, indices);
    } catch (e) {
      emit({ type: 'error', code: 'plan', message: `${lock.path}: ${message(e)}` });
      return 1;
    }
  }
  const tool = plan.bootstrapTool;
  if (a.fromRootfs === undefined && !host.has(tool)) {
    emit({ type: 'error', code: 'host', message: `${tool} is not installed: apt-get install ${tool}` });
    return 1;
  }
  emit({
    type: 'plan', recipe: loaded.display, image: plan.image.tag, bootstrapTool: tool, rootfs: plan.rootfs, keepRootfs: plan.keepRootfs,
    fromRootfs: a.fromRootfs !== undefined, ...(plan.mirror !== undefined && { mirror: plan.mirror }),
    mirrorSource: plan.mirror === undefined ? 'default' : loaded.recipe.mirror === undefined ? 'host' : 'recipe',
    ...(plan.cache && { cache: { dir: plan.cache.dir, warm: plan.cache.warm, ...(!plan.cache.warm && { reason: cache?.reason ?? 'cold' }) } }),
    ...(plan.output !== undefined && { output: plan.output }),
    steps: plan.steps.map((s) => ({ id: s.id, kind: s.kind, title: s.title, why: s.why, argv: s.argv, needsRoot: s.needsRoot })),
  });
  if (lock) emit({ type: 'note', level: 'info', text: `lock: ${lock.path} (${lock.lock.packages.length} packages, each checked against its SHA-256)` });
  // A --from-rootfs build, or one from the rootfs cache, bootstraps nothing: no builder to name.
  if (plan.steps.some((s) => s.kind === 'bootstrap')) {
    emit({ type: 'note', level: 'info', text: `builder: ${plan.builderWhy}${tool !== plan.builder ? `; ${tool} replays the warm package cache` : ''}` });
  }
  for (const w of plan.warnings) emit({ type: 'note', level: 'warning', text: w });

  /** `pending`: the tag it was imported under while its checks run; `tag`, the name it gets when they pass. */
  let imported: { id: string; tag: string; pending?: string; size: number; layerGzipSize: number; layerDigest?: string } | undefined;
  const checkImage = a.noChecks !== true;
  /** Set before the import starts, so a failure after the engine tagged the image still removes the pending tag. */
  let pendingRef: string | undefined;
  let archived: { path: string; size: number; layerGzipSize: number } | undefined;
  const labels: Record<string, string> = { ...plan.image.labels, ...(!checkImage && { [LABEL_CHECKS]: CHECKS_SKIPPED }) };
  const req = { tag: plan.image.tag, arch: plan.image.arch, config: plan.image.config, labels };
  let applied: number | undefined;
  let lockWritten: string | undefined;
  /** `--write-lock`: the lock of what this build installed; the image's inputs label then names it, so the next build is up to date. */
  const writeLockIfAsked = (): void => {
    if (a.writeLock !== true) return;
    const text = formatLock(lockFromBuild(plan, lock?.lock, lock?.lock.archive.updatesApplied ?? updatesApplied(plan)));
    const path = lockPathFor(loaded.path);
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
    lockWritten = path;
    req.labels[LABEL_INPUTS_SHA256] = inputsSha256({ recipeSha256: loaded.sha256, arch: plan.arch, lockSha256: createHash('sha256').update(text).digest('hex') });
  };
  const started = Date.now();
  const result = await runPlan(plan, {
    // main.ts turns Ctrl-C and SIGTERM into io.signal (and says so).
    ...(io.signal && { signal: io.signal }),
    onEvent: (e) => { const b = fromRunEvent(e); if (b) emit(b); },
    handlers: {
      import: async (_step, ctx) => {
        writeLockIfAsked();
        // The layer tar goes next to the work folder (a tmpfs by default), never inside the rootfs.
        const inside = workBase === plan.rootfs || workBase.startsWith(`${plan.rootfs}/`);
        applied = lock?.lock.archive.updatesApplied ?? updatesApplied(plan);
        // With checks, the image never takes the final name before they pass: the last good image keeps it meanwhile.
        const pending = checkImage ? (await import('../core/checks/tags')).pendingTag(req.tag) : undefined;
        pendingRef = pending;
        const r = await importRootfs(docker, {
          ...req, ...(pending !== undefined && { tag: pending }), labels: { ...req.labels, ...updatesLabels(applied) }, rootfs: plan.rootfs,
          signal: ctx.signal, ...(!inside && { workDir: workBase }), ...epochOf(plan),
        });
        const layer = (await docker.getImage(r.id).inspect().catch(() => undefined))?.RootFS?.Layers?.[0];
        imported = { ...r, tag: formatTagName(parseTagName(req.tag)), ...(pending !== undefined && { pending: r.tag }), ...(layer !== undefined && { layerDigest: layer }) };
        recordLayerGzipSize(cacheRoot, r.id, r.layerGzipSize);
      },
      archive: async (_step, ctx) => {
        writeLockIfAsked();
        applied = lock?.lock.archive.updatesApplied ?? updatesApplied(plan);
        archived = await writeOciArchive(plan.rootfs, plan.output!, { ...req, labels: { ...req.labels, ...updatesLabels(applied) }, signal: ctx.signal, ...epochOf(plan) });
      },
    },
  });

  if (result.outcome !== 'succeeded' && pendingRef !== undefined) {
    await (await import('../core/checks/tags')).discardPending(pendingRef);
  }
  const seconds = (Date.now() - started) / 1000;
  const inputsOf = (labels: Readonly<Record<string, string>>) =>
    labels[LABEL_INPUTS_SHA256] !== undefined ? { inputsSha256: labels[LABEL_INPUTS_SHA256] } : {};
  if (result.mountsLeft.length > 0) {
    emit({ type: 'note', level: 'warning', text: `still mounted under ${plan.rootfs} (unmount before deleting): ${result.mountsLeft.join(', ')}` });
  }
  for (const c of result.cleanupFailures) emit({ type: 'note', level: 'warning', text: `cleanup failed: ${c.title}` });
  if (result.outcome === 'cancelled') {
    emit({ type: 'error', code: 'cancelled', message: `build cancelled after ${seconds.toFixed(1)} s; ${result.mountsLeft.length === 0 ? 'nothing left mounted' : 'mounts left (see above)'}` });
    return 130;
  }
  if (result.outcome === 'failed') {
    emit({
      type: 'error', code: 'step-failed', message: `${result.failedStep?.title ?? 'the build'} failed: ${result.error ?? 'unknown error'}`,
      ...(result.failedStep && { step: result.failedStep.id }),
      ...(result.workKept && { hint: `the rootfs is kept at ${plan.rootfs}; retry only the import with:\n  ownbase build ${a.recipe} --from-rootfs ${plan.rootfs}${a.tag ? ` --tag ${a.tag}` : ''}` }),
    });
    return 1;
  }
  if (lockWritten !== undefined) emit({ type: 'note', level: 'info', text: `wrote ${lockWritten}` });
  if (!a.noChecks && (imported || plan.keepRootfs)) {
    const { runBuildChecks } = await import('./buildChecks');
    const read = readInput(loaded.path, MAX_FILE_BYTES.recipe);
    const subject = imported ? { image: imported.pending ?? imported.tag, tag: imported.tag } : { rootfs: plan.rootfs };
    const checked = await runBuildChecks(loaded.recipe, read.ok ? read.file.text : undefined, subject, emit, io.signal);
    if (checked === 'cancelled') {
      emit({ type: 'error', code: 'cancelled', message: `build cancelled during the checks, after ${((Date.now() - started) / 1000).toFixed(1)} s; the image was not kept` });
      return 130;
    }
    if (checked === 'failed') return 1;
  } else if (!a.noChecks) emit({ type: 'note', level: 'info', text: `checks not run: the image is an archive and its rootfs was not kept (run ownbase test --rootfs on a --keep-rootfs build)` });
  const kept = {
    ...(plan.keepRootfs && a.fromRootfs === undefined && { keptRootfs: plan.rootfs }),
    ...(applied !== undefined && { updatesApplied: applied }),
    updates: lock ? `updates: the versions ${lock.path} names${applied !== undefined ? ` (${applied} upgraded from ${plan.updates.suites.join(' and ') || 'the update suites'} when it was written)` : ''}` : updatesSummary(plan, applied),
  };
  if (imported) {
    emit({ type: 'result', tag: imported.tag, seconds, size: imported.size, layerGzipSize: imported.layerGzipSize, id: imported.id, ...(imported.layerDigest !== undefined && { layerDigest: imported.layerDigest }), ...kept, ...inputsOf(req.labels) });
  } else if (archived) {
    emit({ type: 'result', tag: plan.image.tag, seconds, size: archived.size, layerGzipSize: archived.layerGzipSize, archive: archived.path, ...kept, ...inputsOf(req.labels) });
  }
  if (imported || archived) {
    if (!(await writeSbomIfAsked(sbom, imported ? { image: imported.tag, docker, endpoint } : { archive: archived!.path }, io, emit))) return 1;
  }
  if (result.cleanupFailures.length > 0 || result.mountsLeft.length > 0) {
    emit({ type: 'error', code: 'cleanup', message: 'the image was built, but the cleanup did not finish (see above)' });
    return 1;
  }
  return 0;
}

/** `--sbom FILE`: the SBOM of the image (built now, or up to date) or archive. False: it was asked for and not written (said). */
async function writeSbomIfAsked(sbom: SbomRequest | undefined, built: Parameters<typeof writeBuildSbom>[1], io: CliIO, emit: (e: BuildEventInit) => void): Promise<boolean> {
  if (!sbom) return true;
  try {
    emit({ type: 'note', level: 'info', text: `SBOM (${sbom.format}) written to ${await writeBuildSbom(sbom, built, io.cwd, io.signal)}` });
    return true;
  } catch (e) {
    emit({ type: 'note', level: 'warning', text: `the image is there, but its SBOM was not written: ${message(e)}` });
    return false;
  }
}
