import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Diagnostic } from '../core/kernel/diagnostic';
import { probeCache, type CacheProbe } from '../core/build/cache';
import { DEFAULT_CACHE_ROOT, defaultWorkBase, detectBuildHost, type BuildHost } from '../core/build/host';
import { planBuild, PlanError } from '../core/build/plan';
import type { Plan } from '../core/build/types';
import type { Builder, Recipe } from '../core/recipe/types';
import { loadRecipe } from '../core/recipe';
import { runPlan, type RunEvent } from '../core/run/runner';
import { formatText } from './format';
import type { CliIO, Subcommand } from './subcommand';
import { UsageError } from './usageError';

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
}

const FLAGS = new Set(['--tag', '--builder', '--output', '--keep-rootfs', '--from-rootfs', '--workdir', '--cache-dir']);

/** The options `build` and `script` share. */
export function parseBuildArgs(args: readonly string[], allowed: ReadonlySet<string> = FLAGS): BuildArgs {
  const out: Partial<BuildArgs> & { noCache: boolean } = { noCache: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--no-cache' && eq < 0) { out.noCache = true; continue; }
    if (flag.startsWith('-') && flag !== '-' && !allowed.has(flag)) throw new UsageError(`unknown option '${a}'`);
    switch (flag) {
      case '--tag': out.tag = value(); break;
      case '--builder': {
        const v = value();
        if (v !== 'debootstrap' && v !== 'mmdebstrap') throw new UsageError(`--builder must be debootstrap or mmdebstrap, not '${v}'`);
        out.builder = v; break;
      }
      case '--output': out.output = value(); break;
      case '--keep-rootfs': out.keepRootfs = value(); break;
      case '--from-rootfs': out.fromRootfs = value(); break;
      case '--workdir': out.workdir = value(); break;
      case '--cache-dir': out.cacheDir = value(); break;
      default:
        if (out.recipe !== undefined) throw new UsageError(`one recipe at a time ('${out.recipe}', then '${a}')`);
        out.recipe = a;
    }
  }
  if (out.recipe === undefined) throw new UsageError('which recipe? e.g. examples/bookworm-slim.ownbase.yaml');
  if (out.keepRootfs !== undefined && out.fromRootfs !== undefined) throw new UsageError('--keep-rootfs and --from-rootfs exclude each other');
  return out as BuildArgs;
}

export interface LoadedRecipe { readonly recipe: Recipe; readonly path: string; readonly display: string; readonly sha256: string }

/** Reads and validates a recipe; prints its diagnostics. A number: what was wrong was printed, exit with it. */
export function readRecipe(file: string, io: CliIO): LoadedRecipe | 1 | 2 {
  const path = resolve(io.cwd, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    io.stderr.write(`ownbase: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
    return 2;
  }
  const text = bytes.toString('utf8');
  const { recipe, diagnostics } = loadRecipe(text);
  const shown: Diagnostic[] = diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning');
  if (shown.length > 0 || !recipe) io.stderr.write(formatText([{ path: file, kind: 'recipe', text, diagnostics: shown }]));
  if (!recipe) return 1;
  const rel = relative(io.cwd, path);
  const display = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  return { recipe, path, display, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The plan `build` would run with these arguments on this machine (also what `script` prints). */
export function planFor(loaded: LoadedRecipe, args: BuildArgs, host: BuildHost, io: CliIO, opts: { workdirName?: string; output?: string } = {}): { plan: Plan; cache?: CacheProbe; workBase: string } {
  const { recipe } = loaded;
  const arch = recipe.arch ?? host.hostArch;
  const cacheRoot = args.cacheDir !== undefined ? resolve(io.cwd, args.cacheDir) : DEFAULT_CACHE_ROOT;
  const cache = args.noCache || args.fromRootfs !== undefined ? undefined : probeCache(cacheRoot, recipe, arch);
  const warm = cache?.warm === true && host.has('mmdebstrap') && host.fileMirrorHook;
  const base = args.workdir !== undefined ? resolve(io.cwd, args.workdir) : defaultWorkBase();
  const slug = (args.tag ?? recipe.image).replace(/[^A-Za-z0-9._-]+/g, '-');
  const hostMirror = recipe.mirror === undefined ? host.mirror(recipe.distro) : undefined;
  const output = opts.output ?? args.output;
  const plan = planBuild(recipe, {
    hostArch: host.hostArch,
    workdir: `${base}/ownbase-${slug}${opts.workdirName ?? ''}`,
    ...(args.builder && { builder: args.builder }),
    ...(args.keepRootfs !== undefined && { keepRootfs: resolve(io.cwd, args.keepRootfs) }),
    ...(args.fromRootfs !== undefined && { fromRootfs: resolve(io.cwd, args.fromRootfs) }),
    ...(cache && { cache: { dir: cache.dir, warm } }),
    ...(hostMirror !== undefined && { hostMirror }),
    mergedUsrHook: host.mergedUsrHook,
    ...(args.tag !== undefined && { tag: args.tag }),
    ...(output !== undefined && { output: resolve(io.cwd, output) }),
    recipePath: loaded.display,
    recipeSha256: loaded.sha256,
  });
  return { plan, ...(cache && { cache }), workBase: base };
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The CLI face of the runner's events: a header per step, its output, its exit code. */
function printer(io: CliIO): (e: RunEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'step-started':
        if (e.phase === 'main') io.stdout.write(`\n==> [${e.index}/${e.total}] ${e.step.title}\n    ${e.step.why}\n$ ${e.commandLine}\n`);
        else io.stdout.write(`--> cleanup: ${e.step.title}\n`);
        break;
      case 'output':
        (e.stream === 'stderr' ? io.stderr : io.stdout).write(e.text);
        break;
      case 'step-ended':
        if (e.outcome === 'succeeded') { if (e.phase === 'main') io.stdout.write(`<== exit 0 (${secs(e.durationMs)})\n`); }
        else io.stderr.write(`<== ${e.outcome}: ${e.error ?? `exit ${e.exitCode}`} (${secs(e.durationMs)})\n`);
        break;
      case 'run-ended':
        break;
    }
  };
}

const USAGE = `usage: ownbase build RECIPE [--tag NAME] [--builder debootstrap|mmdebstrap] [--output FILE.tar]
                     [--keep-rootfs DIR | --from-rootfs DIR] [--workdir DIR] [--cache-dir DIR] [--no-cache]

Builds the recipe's image as root: bootstrap (debootstrap or mmdebstrap), packages installed in a
chroot, slimmed, imported into the Docker engine under the recipe's image name (or --tag). Without a
reachable engine, or with --output, writes an OCI image archive (docker load -i FILE) instead.
  --keep-rootfs DIR   build the rootfs in DIR (empty or new) and keep it
  --from-rootfs DIR   only import DIR, e.g. the rootfs a failed import kept
  --workdir DIR       parent of the work folder (default: /dev/shm when it is a roomy tmpfs, else /var/tmp)
  --cache-dir DIR     downloaded packages, per distro/suite/arch (default ${DEFAULT_CACHE_ROOT}); a rebuild installs from it
  --no-cache          download everything and do not keep it
Ctrl-C cancels: the running step's process tree is killed, mounts are undone, the work folder removed.
Exit 0 built, 1 failed (recipe errors, a step failed), 2 usage, 130 cancelled.`;

const WHY_ROOT = 'ownbase build needs root: debootstrap and mmdebstrap create device nodes and files owned by other users, '
  + 'chroot needs CAP_SYS_CHROOT and the bind mounts of /dev, /run and /proc need CAP_SYS_ADMIN. Run it with sudo (sudo ownbase build …).';

export const command: Subcommand = {
  summary: 'build a recipe into an image: bootstrap, chroot, slim, import',
  usage: USAGE,
  run: (args, io) => build(args, io),
};

async function build(args: readonly string[], io: CliIO): Promise<number> {
  const a = parseBuildArgs(args);
  const loaded = readRecipe(a.recipe, io);
  if (typeof loaded === 'number') return loaded;
  const host = detectBuildHost();
  if (!host.isRoot) { io.stderr.write(`${WHY_ROOT}\n`); return 1; }
  if (a.keepRootfs !== undefined) {
    const dir = resolve(io.cwd, a.keepRootfs);
    if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
      throw new UsageError(`--keep-rootfs ${a.keepRootfs}: must be a new or empty folder`);
    }
  }
  if (a.fromRootfs !== undefined && !existsSync(resolve(io.cwd, a.fromRootfs, 'etc'))) {
    throw new UsageError(`--from-rootfs ${a.fromRootfs}: not a root file system (no etc/)`);
  }

  // The engine is loaded only when a build gets this far: `script` and usage errors never need it.
  const engine = await import('../core/engine/connect');
  const { importRootfs, writeOciArchive } = await import('../core/engine/import');
  const docker = engine.connectEngine();
  let output = a.output;
  if (output === undefined && !(await engine.engineReachable(docker))) {
    output = `${(a.tag ?? loaded.recipe.image).replace(/[^A-Za-z0-9._-]+/g, '_')}.oci.tar`;
    io.stderr.write(`ownbase: no Docker engine reachable at ${engine.engineAddressOf(docker)}: the image goes to an archive, ${resolve(io.cwd, output)} (load it with docker load -i)\n`);
  }

  let plan: Plan;
  let cache: CacheProbe | undefined;
  let workBase: string;
  try {
    ({ plan, cache, workBase } = planFor(loaded, a, host, io, { workdirName: `-${randomBytes(4).toString('hex')}`, ...(output !== undefined && { output }) }));
  } catch (e) {
    if (e instanceof PlanError) { io.stderr.write(`${loaded.display}: ${e.message}\n`); return 1; }
    throw e;
  }
  const tool = plan.bootstrapTool;
  if (a.fromRootfs === undefined && !host.has(tool)) {
    io.stderr.write(`ownbase: ${tool} is not installed: apt-get install ${tool}\n`);
    return 1;
  }
  if (a.fromRootfs === undefined) {
    io.stdout.write(`rootfs: ${plan.rootfs}${plan.keepRootfs ? ' (kept)' : ''}\n`);
    if (!plan.cache?.warm) io.stdout.write(`mirror: ${plan.mirror ?? `${plan.bootstrapTool}'s default`}${loaded.recipe.mirror === undefined && plan.mirror !== undefined ? " (this machine's apt sources)" : ''}\n`);
  }
  if (plan.cache) {
    io.stdout.write(plan.cache.warm
      ? `package cache: ${plan.cache.dir} holds everything this recipe needs; nothing is downloaded\n`
      : `package cache: ${plan.cache.dir} (${cache?.reason ?? 'cold'}); this build fills it\n`);
  }

  let imported: { id: string; tag: string; size: number; layerGzipSize: number } | undefined;
  let archived: { path: string; size: number; layerGzipSize: number } | undefined;
  const req = { tag: plan.image.tag, arch: plan.image.arch, config: plan.image.config, labels: { ...plan.image.labels } };
  const started = Date.now();
  const result = await runPlan(plan, {
    // main.ts turns Ctrl-C and SIGTERM into io.signal (and says so).
    ...(io.signal && { signal: io.signal }),
    onEvent: printer(io),
    handlers: {
      import: async (_step, ctx) => {
        // The layer tar goes next to the work folder (a tmpfs by default), never inside the rootfs.
        const inside = workBase === plan.rootfs || workBase.startsWith(`${plan.rootfs}/`);
        imported = await importRootfs(docker, { ...req, rootfs: plan.rootfs, signal: ctx.signal, ...(!inside && { workDir: workBase }) });
      },
      archive: async (_step, ctx) => {
        archived = await writeOciArchive(plan.rootfs, plan.output!, { ...req, signal: ctx.signal });
      },
    },
  });

  if (result.mountsLeft.length > 0) {
    io.stderr.write(`ownbase: still mounted under ${plan.rootfs} (unmount before deleting): ${result.mountsLeft.join(', ')}\n`);
  }
  for (const c of result.cleanupFailures) io.stderr.write(`ownbase: cleanup failed: ${c.title}\n`);
  if (result.outcome === 'cancelled') {
    io.stderr.write(`ownbase: build cancelled after ${secs(Date.now() - started)}; ${result.mountsLeft.length === 0 ? 'nothing left mounted' : 'mounts left (see above)'}\n`);
    return 130;
  }
  if (result.outcome === 'failed') {
    io.stderr.write(`ownbase: ${result.failedStep?.title ?? 'the build'} failed: ${result.error ?? 'unknown error'}\n`);
    if (result.workKept) {
      io.stderr.write(`ownbase: the rootfs is kept at ${plan.rootfs}; retry only the import with:\n  ownbase build ${a.recipe} --from-rootfs ${plan.rootfs}${a.tag ? ` --tag ${a.tag}` : ''}\n`);
    }
    return 1;
  }
  const took = secs(Date.now() - started);
  if (imported) {
    io.stdout.write(`\nbuilt ${imported.tag} in ${took}: ${mb(imported.size)} (docker images), ${mb(imported.layerGzipSize)} gzip-6 layer (what a registry stores)\n  ${imported.id}\n  FROM ${imported.tag}\n`);
  } else if (archived) {
    io.stdout.write(`\nwrote ${archived.path} in ${took}: ${mb(archived.size)}, ${mb(archived.layerGzipSize)} gzip-6 layer\n  docker load -i ${archived.path}\n`);
  }
  if (plan.keepRootfs && a.fromRootfs === undefined) io.stdout.write(`  rootfs kept at ${plan.rootfs}\n`);
  return result.cleanupFailures.length > 0 || result.mountsLeft.length > 0 ? 1 : 0;
}
