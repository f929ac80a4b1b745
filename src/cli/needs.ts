import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type Dockerode from 'dockerode';
import { stageImage } from '../core/elf/image';
import { needsJson, needsOf, needsText, type BinarySpec, type NeedsReport } from '../core/elf/needs';
import { PackageIndex } from '../core/elf/packages';
import { Resolver } from '../core/elf/resolve';
import { RootFs } from '../core/elf/root';
import { LABEL_NEEDS_BINARIES, LABEL_NEEDS_PACKAGES } from '../core/engine/labels';
import { releaseOfRoot, runtimeRecipeOf, runtimeRecipeText } from '../core/elf/recipe';
import { debianArchOf } from '../core/kernel/arch';
import { parseTagName } from '../core/kernel/imageRef';
import type { CliIO, Subcommand } from './subcommand';
import { readOptions } from './options';
import { UsageError } from './usageError';

export interface NeedsArgs {
  readonly binaries: readonly string[];
  /** A folder, or an image in the engine; default `/`. */
  readonly root: string;
  readonly format: 'text' | 'json';
  readonly image?: string;
  /** Write a `profile: runtime` recipe here. */
  readonly recipe?: string;
  readonly with: readonly string[];
  readonly user: string;
  /** Run the image once, with these arguments, after building it. */
  readonly smoke?: readonly string[];
}

const USAGE = `usage: ownbase needs BINARY… [--root DIR|IMAGE] [--format text|json]
                      [--recipe OUT.ownbase.yaml] [--image NAME [--smoke [-- ARGS…]]]
                      [--with PKG,…] [--user NAME]

What a compiled program needs at run time, read from the binary itself: its ELF interpreter, the
libraries it names (found as the dynamic loader finds them: rpath, runpath, ld.so.conf, the
architecture's folders), the files the C library loads by name (NSS modules, gconv, libgcc_s), each
with its reason and its Debian package from the root's dpkg database.
  --root DIR|IMAGE  where the libraries are looked up: a root file system folder, or an image in
                    the engine (exported to a temporary folder); default / (this machine)
  --format F        text (default) or json
  --image NAME      build an image holding exactly that: FROM scratch for a static binary; for a
                    dynamic one its files, the loader, the by-name files and the dpkg metadata of
                    the packages drawn from (var/lib/dpkg/status.d, as distroless has it); both get
                    /etc/passwd and /etc/group (root and a non-root user) and /tmp
  --recipe FILE     write a runtime recipe (profile: runtime) of exactly that, which ownbase build
                    builds from a root bootstrapped from the root's release with the packages drawn
                    from; a binary no package installed is named relative to FILE
  --with PKG,…      also the files of these packages of the root (ca-certificates, tzdata)
  --user NAME       the non-root user (uid 65532) the image runs as; default nonroot
  --smoke           run the image once (docker run --rm --network none), arguments after --;
                    when it fails to load, name the missing file and its package
A BINARY in the root is named by its path there (/usr/bin/curl); a file of this machine that is not
in the root (a program just built) is read from here and goes to /usr/local/bin in the image.
Exit 0 fine, 1 a library is missing or the smoke run failed, 2 usage or a binary that cannot be read.`;

const OPTIONS = {
  'root': { type: 'string' }, 'format': { type: 'string' }, 'image': { type: 'string' }, 'recipe': { type: 'string' },
  'with': { type: 'string' }, 'user': { type: 'string' }, 'smoke': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** `needs` options (node:util parseArgs; `--flag value` and `--flag=value`); what follows `--` is the smoke run's. */
export function parseNeedsArgs(args: readonly string[]): NeedsArgs {
  const dashes = args.indexOf('--');
  const own = dashes >= 0 ? args.slice(0, dashes) : args;
  const smokeArgs = dashes >= 0 ? args.slice(dashes + 1) : [];
  const binaries: string[] = [];
  let root = '/';
  let format: 'text' | 'json' = 'text';
  let image: string | undefined;
  let recipe: string | undefined;
  let withPkgs: string[] = [];
  let user = 'nonroot';
  let smoke = false;
  for (const o of readOptions(own, OPTIONS)) {
    if (o.kind === 'positional') { binaries.push(o.value); continue; }
    if (o.kind === 'flag') { smoke = true; continue; }
    const v = o.value;
    switch (o.name) {
      case 'root': root = v; break;
      case 'format':
        if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json, not '${v}'`);
        format = v;
        break;
      case 'image': image = v; break;
      case 'recipe': recipe = v; break;
      case 'with': withPkgs = [...withPkgs, ...v.split(',').map((s) => s.trim()).filter(Boolean)]; break;
      case 'user':
        if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(v) || v === 'root') throw new UsageError(`--user takes a user name (lower case, not root), not '${v}'`);
        user = v;
        break;
    }
  }
  if (binaries.length === 0) throw new UsageError('which binary? name one or more (./app, /usr/bin/curl)');
  if (image !== undefined) {
    try { parseTagName(image); } catch (e) { throw new UsageError(`--image: ${(e as Error).message}`); }
  }
  if (recipe !== undefined && !/\.ownbase\.ya?ml$/u.test(recipe)) throw new UsageError(`--recipe names a recipe file, NAME.ownbase.yaml, not '${recipe}'`);
  if (smoke && image === undefined) throw new UsageError('--smoke goes with --image NAME');
  if (image === undefined && recipe === undefined && withPkgs.length > 0) throw new UsageError('--with goes with --image NAME');
  return {
    binaries, root, format, ...(image !== undefined ? { image } : {}), ...(recipe !== undefined ? { recipe } : {}),
    with: withPkgs, user, ...(smoke ? { smoke: smokeArgs } : {}),
  };
}

export const command: Subcommand = {
  summary: 'what a binary needs at run time (files, packages, bytes); a minimal image of exactly that',
  usage: USAGE,
  run: (args, io) => needs(args, io),
};

// Required on first use: `ownbase needs BINARY` never loads the engine client (dist/engine.js).
const connect = (): typeof import('../core/engine/connect') => require('../core/engine/connect') as typeof import('../core/engine/connect');
const importer = (): typeof import('../core/engine/import') => require('../core/engine/import') as typeof import('../core/engine/import');
const extractor = (): typeof import('../core/engine/extract') => require('../core/engine/extract') as typeof import('../core/engine/extract');

const isDir = (p: string): boolean => { try { return statSync(p).isDirectory(); } catch { return false; } };

/** Which binaries are the root's (a path there) and which this machine's (a file outside it). */
function binarySpecs(binaries: readonly string[], rootDir: string, cwd: string): BinarySpec[] {
  return binaries.map((b) => {
    if (rootDir === '/') return { path: resolve(cwd, b) };
    if (isAbsolute(b) && existsSync(join(rootDir, b))) return { path: b };
    const host = resolve(cwd, b);
    if (existsSync(host)) return { path: host, outside: true };
    return { path: isAbsolute(b) ? b : `/${b}` };
  });
}

async function needs(args: readonly string[], io: CliIO): Promise<number> {
  const a = parseNeedsArgs(args);
  let docker: Dockerode | undefined;
  const engine = (): Dockerode => (docker ??= connect().connectEngine());
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    let rootDir = resolve(io.cwd, a.root);
    if (a.root !== '/' && !isDir(rootDir)) {
      if (a.root.startsWith('.') || a.root.startsWith('/')) { io.stderr.write(`ownbase needs: --root ${a.root}: no such folder\n`); return 2; }
      const dir = mkdtempSync(join(tmpdir(), 'ownbase-needs-root-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      try {
        await exportImage(engine(), a.root, dir, io.signal);
      } catch (e) {
        io.stderr.write(`ownbase needs: --root ${a.root}: ${e instanceof Error ? e.message : String(e)}\n`);
        return 2;
      }
      rootDir = dir;
    }
    const root = new RootFs(rootDir);
    const resolver = new Resolver(root);
    const index = new PackageIndex(root);
    const report = needsOf(rootDir, binarySpecs(a.binaries, rootDir, io.cwd), { resolver, index });
    io.stdout.write(a.format === 'json' ? `${JSON.stringify(needsJson(report), null, 2)}\n` : needsText(report));
    if (a.format === 'text') for (const line of providerLines(report, index, rootDir)) io.stderr.write(`ownbase needs: ${line}\n`);
    for (const b of report.binaries) if (b.error !== undefined) io.stderr.write(`ownbase needs: ${b.path}: ${b.error}\n`);
    if (report.binaries.some((b) => b.error !== undefined)) return 2;
    const missing = report.binaries.some((b) => b.missing.length > 0);
    if (missing && a.recipe !== undefined) { io.stderr.write('ownbase needs: not writing a recipe: a library is missing from the root (see MISSING above)\n'); return 1; }
    if (a.recipe !== undefined) {
      const written = writeRecipe(report, root, a, io);
      if (written !== 0) return written;
    }
    if (a.image === undefined) return missing ? 1 : 0;
    if (missing) { io.stderr.write('ownbase needs: not building an image: a library is missing from the root (see MISSING above)\n'); return 1; }
    let built: { tag: string; entrypoint: string };
    try {
      built = await buildImage(engine(), report, root, index, a, io);
    } catch (e) {
      io.stderr.write(`ownbase needs: building ${a.image}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
    if (a.smoke === undefined) return 0;
    return await smokeRun(built, a.smoke, report, index, io);
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

/**
 * For each missing library, the package that would provide it: one the root's dpkg database lists it in (the file
 * was removed after the install), else one of this machine's.
 */
export function providerLines(report: NeedsReport, index: PackageIndex, rootDir: string): string[] {
  const names = [...new Set(report.binaries.flatMap((b) => b.missing.map((m) => m.soname)))];
  if (names.length === 0) return [];
  let host: PackageIndex | undefined;
  return names.map((name) => {
    const inRoot = index.providers(name)[0];
    if (inRoot) return `${name}: the root's dpkg database lists it in ${inRoot.name} ${inRoot.version}, but the file is gone (removed after the install?)`;
    if (rootDir !== '/') {
      host ??= new PackageIndex(new RootFs('/'));
      const here = host.providers(name)[0];
      if (here) return `${name}: provided by package ${here.name} (on this machine); install it in the root`;
    }
    return `${name}: no package of the root${rootDir !== '/' ? ' or this machine' : ''} provides it`;
  });
}

/** The image name a recipe gets without --image: `owned/NAME:runtime` after its file name. */
export function runtimeImageName(recipeFile: string): string {
  const stem = basename(recipeFile).replace(/\.ownbase\.ya?ml$/u, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return `owned/${stem || 'app'}:runtime`;
}

/** `--recipe FILE`: the report as a `profile: runtime` recipe; binaries no package installed are named relative to it. */
function writeRecipe(report: NeedsReport, root: RootFs, a: NeedsArgs, io: CliIO): number {
  const file = resolve(io.cwd, a.recipe!);
  const release = releaseOfRoot(root);
  if (!release) { io.stderr.write(`ownbase needs: --recipe: the root ${a.root} names no Debian or Ubuntu release (etc/os-release): a runtime recipe is built from one\n`); return 2; }
  const binaries = report.binaries.map((b) => {
    if (b.package !== undefined && !b.outside) return { path: b.path };
    const host = b.outside || a.root === '/' ? b.path : root.host(b.path);
    return { path: relative(dirname(file), host) };
  });
  try {
    const recipe = runtimeRecipeOf(report, { image: a.image ?? runtimeImageName(file), ...release, binaries, with: a.with, user: a.user });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, runtimeRecipeText(recipe, 'ownbase needs'));
    io.stderr.write(`ownbase needs: wrote ${a.recipe} (profile runtime, ${recipe.packages?.length ?? 0} packages); build it with ownbase build ${a.recipe}\n`);
    return 0;
  } catch (e) {
    io.stderr.write(`ownbase needs: --recipe ${a.recipe}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

/** `docker export` of a container of the image, into `dir`; the container is removed. */
async function exportImage(docker: Dockerode, ref: string, dir: string, signal?: AbortSignal): Promise<void> {
  let id: string;
  try {
    id = (await docker.createContainer({ Image: ref, Cmd: ['/ownbase-needs-never-runs'], NetworkDisabled: true })).id;
  } catch (e) {
    throw connect().explainEngineError(docker, e, `reading image ${ref}`);
  }
  try {
    const stream = await docker.getContainer(id).export() as unknown as Readable;
    await extractor().extractTar(stream, dir, signal ? { signal } : {});
  } finally {
    await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
  }
}

async function buildImage(docker: Dockerode, report: NeedsReport, root: RootFs, index: PackageIndex, a: NeedsArgs, io: CliIO): Promise<{ tag: string; entrypoint: string }> {
  const stage = mkdtempSync(join(tmpdir(), 'ownbase-needs-image-'));
  try {
    const staged = stageImage(report, root, index, stage, { user: a.user, with: a.with });
    const arch = staged.arch ?? debianArchOf(process.arch);
    const result = await importer().importRootfs(docker, {
      rootfs: stage, tag: a.image!, arch,
      config: { entrypoint: [staged.entrypoint], user: a.user },
      labels: { [LABEL_NEEDS_BINARIES]: report.binaries.map((b) => b.path).join(' '), [LABEL_NEEDS_PACKAGES]: staged.packages.join(' ') },
      ...(io.signal ? { signal: io.signal } : {}),
    });
    io.stderr.write(`ownbase needs: built ${result.tag} (${staged.files.length} files, ${staged.packages.length} packages, ${result.size} bytes)\n`);
    return { tag: result.tag, entrypoint: staged.entrypoint };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** What the loader or the engine said is missing, from a failed run's output. */
export function missingFromOutput(text: string): string | undefined {
  return /error while loading shared libraries: ([^:\s]+):/.exec(text)?.[1]
    ?? /exec (\S+): no such file or directory/.exec(text)?.[1]
    ?? /(\S+): cannot open shared object file/.exec(text)?.[1];
}

async function smokeRun(built: { tag: string; entrypoint: string }, args: readonly string[], report: NeedsReport, index: PackageIndex, io: CliIO): Promise<number> {
  const { tag } = built;
  const argv = ['run', '--rm', '--network', 'none', tag, ...args];
  const { code, output } = await new Promise<{ code: number; output: string }>((done) => {
    const p = spawn('docker', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); io.stdout.write(d.toString()); });
    p.stderr.on('data', (d: Buffer) => { out += d.toString(); io.stderr.write(d.toString()); });
    p.on('error', (e) => done({ code: 127, output: e.message }));
    p.on('close', (c) => done({ code: c ?? 1, output: out }));
  });
  if (code === 0) { io.stderr.write(`ownbase needs: smoke run of ${tag} succeeded\n`); return 0; }
  let name = missingFromOutput(output);
  // The kernel reports a missing loader as the program itself missing.
  if (name === built.entrypoint) name = report.binaries[0]?.interpreter ?? name;
  if (name !== undefined) {
    const base = name.slice(name.lastIndexOf('/') + 1);
    const known = report.binaries.flatMap((b) => b.needed).find((n) => n.soname === base || n.file === name);
    const pkg = known?.package ?? [...index.owners(index.packages.flatMap((p) => p.files.filter((f) => f.endsWith(`/${base}`)).map((f) => `/${f}`))).values()][0]?.name;
    io.stderr.write(`ownbase needs: the smoke run of ${tag} failed to load ${name}${pkg !== undefined ? ` (package ${pkg})` : ' (no package of the root provides it)'}\n`);
  } else {
    io.stderr.write(`ownbase needs: the smoke run of ${tag} exited ${code}\n`);
  }
  return 1;
}
