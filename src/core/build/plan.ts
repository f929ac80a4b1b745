import { posix } from 'node:path';
import { configChanges } from '../engine/imageConfig';
import { provenanceLabels } from '../engine/labels';
import { findArch, platformOf, platformString, qemuName, runsNatively } from '../kernel/arch';
import { parseTagName } from '../kernel/imageRef';
import { imageVerdict } from '../recipe/rules/imageRef';
import type { Builder, Recipe } from '../recipe/types';
import { isMirrorUrl, recipeErrors, snapshotProblem, variantProblem } from '../recipe/validate';
import { existsSync, readFileSync } from 'node:fs';
import { LABEL_INPUTS_SHA256, LABEL_UPDATES_APPLIED } from '../engine/labels';
import { updateSuites } from '../recipe/suites';
import { aptSourcesFile, isLocalOnlyUrl, oneLineSources, snapshotUrl, type AptSourcesFile, type SourcesSpec, type ToolDefaults } from './mirror';
import {
  CACHE_SAVE, CHECK_BINFMT, CHROOT_RUN, COUNT_UPDATES, FINALIZE, IMPORT, INSTALL, REMOVE, REMOVE_WORKDIR, SLIM, UNMOUNT,
  packagesRecordFile, RECORD_PACKAGES, releaseRecordFile, ROOTFS_RESTORE, ROOTFS_SAVE, SEED_CACHE, SEED_CACHE_ENV, SOURCE_DATE, sourceDateFile, UNSAFE_IO_OFF, UNSAFE_IO_ON, UPGRADE,
  updatesCountFile,
} from './scripts';
import { ROOTFS_CACHE_KEEP, type RootfsCacheEntry } from './rootfsCache';
import type { Plan, Step, UpdatesInfo } from './types';

export const MMDEBSTRAP_HOOKS = '/usr/share/mmdebstrap/hooks';
const MERGED_USR_HOOK = `${MMDEBSTRAP_HOOKS}/merged-usr`;
const FILE_MIRROR_HOOK = `${MMDEBSTRAP_HOOKS}/file-mirror-automount`;

/** A recipe value that cannot be built safely. Validation (OB2xx) normally reports it first. */
export class PlanError extends Error {}

export interface PlanOptions {
  /** The machine's Debian architecture. */
  readonly hostArch: string;
  /** The folder that holds the rootfs while building; removed afterwards. */
  readonly workdir: string;
  /** Overrides the recipe's builder (`--builder`); default see {@link chooseBuilder}. */
  readonly builder?: Builder;
  /** mmdebstrap is installed here: a recipe naming no builder bootstraps with it. Default false. */
  readonly mmdebstrapInstalled?: boolean;
  /** Build in this folder and keep it (`--keep-rootfs`). */
  readonly keepRootfs?: string;
  /** The .deb cache of this distro/suite/arch (see cache.ts); omitted, nothing is cached. */
  readonly cache?: { readonly dir: string; readonly warm: boolean };
  /** The mirror from the host's apt sources, used when the recipe names none. */
  readonly hostMirror?: string;
  /** The security archive from the host's apt sources, used when the recipe names no security_mirror. */
  readonly hostSecurityMirror?: string;
  /** The bootstrap tools' own default mirrors (mirror.ts toolDefaults): the last resort, and what an image names instead of a local proxy. */
  readonly toolDefaults?: ToolDefaults;
  /** mmdebstrap's merged-usr hook exists (debootstrap's merged /usr, same package set). Default true. */
  readonly mergedUsrHook?: boolean;
  /** Overrides the recipe's image name (`--tag`). */
  readonly tag?: string;
  /** Write an image archive here instead of importing into the engine. */
  readonly output?: string;
  /** Only import this existing rootfs (a retry after a failed import); it is kept. */
  readonly fromRootfs?: string;
  /** Provenance labels. */
  readonly recipePath?: string;
  readonly recipeSha256?: string;
  /**
   * A lock's repository in the cache (build/lock.ts writeLockedRepository): mmdebstrap installs exactly its packages
   * from it, and no upgrade runs (the lock holds the upgraded versions). Needs `cache`.
   */
  readonly lockedRepo?: string;
  /** Record what dpkg installed and the release's date and hash beside the rootfs, for a lock (`--write-lock`). */
  readonly recordPackages?: boolean;
  /** SOURCE_DATE_EPOCH known before the build (the lock's); without it a step reads the archive's Release date. */
  readonly sourceDateEpoch?: number;
  /** build/inputs.ts inputsSha256: the image's `dev.ownbase.inputs.sha256` label. */
  readonly inputsSha256?: string;
  /**
   * The rootfs cache's entry for this build's package inputs (build/rootfsCache.ts): a hit replaces bootstrap, upgrade
   * and packages by extracting it; a miss keeps the rootfs there before the slim step. Omitted: no rootfs cache.
   */
  readonly rootfsCache?: RootfsCacheEntry;
}

export { checkRemovePattern } from '../recipe/removal';

/**
 * The characters a work path may hold. debootstrap `eval`s its target (`CHROOT_CMD="chroot \"$TARGET\""`, run
 * by `eval "$CHROOT_CMD \"\$@\""`) and splits it unquoted (`rm -f $TARGET/proc`), so `$(…)`, backquotes, quotes,
 * backslashes, spaces and glob characters in it would run or match as root.
 */
const WORK_PATH_CHARS = /[^A-Za-z0-9._+@%=,:/-]/u;

function describeChar(c: string): string {
  if (c === ' ') return 'a space';
  if (c === '\n' || c === '\r') return 'a line break';
  if (c === '\t') return 'a tab';
  const code = c.codePointAt(0)!;
  return code < 0x20 || code === 0x7f || code > 0x7e ? `the character U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`;
}

/**
 * A path that must be absolute, normalized, not the root and made of plain characters: it will be created,
 * chrooted into, handed to debootstrap (which evaluates it in a shell) and deleted.
 */
export function workPath(p: string, what: string): string {
  if (!posix.isAbsolute(p)) throw new PlanError(`${what} must be an absolute path, not ${JSON.stringify(p)}`);
  const bad = WORK_PATH_CHARS.exec(p);
  if (bad) {
    throw new PlanError(`${what} ${JSON.stringify(p)} contains ${describeChar(bad[0])}: debootstrap evaluates its target folder in a shell, `
      + 'so a work path may only hold letters, digits and . _ + @ % = , : / -');
  }
  const n = posix.normalize(p).replace(/\/+$/, '');
  if (n === '' || n.split('/').length < 3) throw new PlanError(`${what} ${JSON.stringify(p)} is too close to / to build in`);
  return n;
}

/** The recipe validator's first error (lint reports each at its field, OB201/OB202/OB205/OB206). */
function validate(r: Recipe): void {
  const first = recipeErrors(r)[0];
  if (first) throw new PlanError(first.message);
}

/**
 * Which bootstrap tool builds a recipe, and why in words (the build log says it): `--builder`, else the
 * recipe's `builder`, else mmdebstrap when it is installed and the architecture is native (it installs the
 * same package set as debootstrap, about twice as fast), else debootstrap. A foreign architecture keeps
 * debootstrap's --foreign + qemu second stage unless the recipe asks otherwise.
 */
export function chooseBuilder(recipe: Pick<Recipe, 'builder'>, opts: { builder?: Builder; mmdebstrapInstalled?: boolean }, foreign: boolean): { builder: Builder; why: string } {
  if (opts.builder !== undefined) return { builder: opts.builder, why: `${opts.builder}: --builder ${opts.builder}` };
  if (recipe.builder !== undefined) return { builder: recipe.builder, why: `${recipe.builder}: the recipe's builder` };
  if (opts.mmdebstrapInstalled !== true) return { builder: 'debootstrap', why: 'debootstrap: the recipe names no builder and mmdebstrap is not installed' };
  if (foreign) return { builder: 'debootstrap', why: 'debootstrap: the recipe names no builder and the architecture is foreign (debootstrap --foreign, second stage under qemu)' };
  return { builder: 'mmdebstrap', why: 'mmdebstrap: the recipe names no builder and mmdebstrap is installed (the same packages as debootstrap, about twice as fast; builder: debootstrap keeps debootstrap)' };
}

/**
 * The recipe with its `snapshot:` applied: the mirror (the recipe's, else this machine's) and a named
 * security_mirror become `BASE/<snapshot>/` (mirror.ts snapshotUrl). Unchanged without a snapshot.
 */
export function withSnapshot(recipe: Recipe, hostMirror: string | undefined): Recipe {
  const snapshot = recipe.snapshot;
  if (snapshot === undefined) return recipe;
  const base = recipe.mirror ?? hostMirror;
  if (base === undefined) throw new PlanError(`snapshot: ${snapshot} needs a snapshot-style archive as the mirror and none is known: name it in the recipe's mirror`);
  const why = snapshotProblem(snapshot, base);
  if (why !== undefined) throw new PlanError(why);
  return {
    ...recipe, mirror: snapshotUrl(base, snapshot),
    ...(recipe.security_mirror !== undefined && { security_mirror: snapshotUrl(recipe.security_mirror, snapshot) }),
  };
}

/**
 * The build of a recipe as data: ordered steps with their reasons and cleanups. Pure: everything it
 * needs to know about the machine comes in `opts`.
 */
export function planBuild(recipe: Recipe, opts: PlanOptions): Plan {
  validate(recipe);
  const arch = recipe.arch ?? opts.hostArch;
  if (!findArch(arch)) throw new PlanError(`the host architecture ${JSON.stringify(arch)} is not a Debian architecture: set arch in the recipe`);
  const foreign = !runsNatively(opts.hostArch, arch);
  const chosen = chooseBuilder(recipe, opts, foreign);
  const builder = chosen.builder;
  const qemu = qemuName(arch)!;
  const variant = recipe.variant ?? 'minbase';
  if (opts.builder !== undefined) {
    const why = variantProblem(variant, opts.builder, `--builder ${opts.builder}`);
    if (why !== undefined) throw new PlanError(why);
  }
  const components = recipe.components ?? ['main'];
  const packages = recipe.packages ?? [];
  const archive = withSnapshot(recipe, opts.hostMirror);
  const mirror = archive.mirror ?? opts.hostMirror;
  if (mirror !== undefined && !isMirrorUrl(mirror)) throw new PlanError(`the host's mirror ${JSON.stringify(mirror)} is not an http(s):// or file:// URL without spaces or quotes: name one in the recipe`);
  for (const [what, url] of [['recipe security_mirror', recipe.security_mirror], ['security mirror', opts.hostSecurityMirror],
    ['default mirror', opts.toolDefaults?.mirror], ['default security mirror', opts.toolDefaults?.security]] as const) {
    if (url !== undefined && !isMirrorUrl(url)) throw new PlanError(`${what} ${JSON.stringify(url)} is not an http(s):// or file:// URL without spaces or quotes`);
  }
  const kept = opts.fromRootfs ?? opts.keepRootfs;
  const keepRootfs = kept !== undefined;
  const workdir = workPath(kept ?? opts.workdir, opts.fromRootfs !== undefined ? '--from-rootfs' : keepRootfs ? '--keep-rootfs' : 'the work folder (--workdir, ownbase.build.workDir)');
  const rootfs = keepRootfs ? workdir : `${workdir}/rootfs`;
  const cache = opts.cache ? { dir: workPath(opts.cache.dir, 'the cache folder (--cache-dir, ownbase.build.cacheDir)'), warm: opts.cache.warm } : undefined;
  if (opts.lockedRepo !== undefined && cache === undefined) throw new PlanError('a lock installs from the package cache: build without --no-cache');
  const locked = opts.lockedRepo !== undefined;
  const warm = cache?.warm === true || locked;
  const tool: Builder = warm ? 'mmdebstrap' : builder;
  const tag = opts.tag ?? recipe.image;
  if (opts.tag !== undefined) {
    const v = imageVerdict(opts.tag);
    if (v?.severity === 'error') throw new PlanError(`--tag: ${v.message}`);
  }
  try { parseTagName(tag); } catch (e) { throw new PlanError((e as Error).message); }

  const labels = {
    ...provenanceLabels({
      baseName: `${recipe.distro}:${recipe.suite}`,
      ...(opts.recipePath !== undefined && { recipePath: opts.recipePath }),
      ...(opts.recipeSha256 !== undefined && { recipeSha256: opts.recipeSha256 }),
    }),
    ...(opts.inputsSha256 !== undefined && { [LABEL_INPUTS_SHA256]: opts.inputsSha256 }),
  };
  const config = recipe.config ?? {};
  let changes: string[];
  try { changes = configChanges(config, labels); } catch (e) { throw new PlanError(`recipe config: ${(e as Error).message}`); }

  const fixes = planUpdates(archive, mirror, opts);
  const countFile = updatesCountFile(rootfs);
  const upgrading = fixes.suites.length > 0 && opts.fromRootfs === undefined && !locked;
  const updates: UpdatesInfo = { suites: fixes.suites, countFile, ...(fixes.left !== undefined && { left: fixes.left }), ...(fixes.securityMirror !== undefined && { securityMirror: fixes.securityMirror }) };

  const unshare = ['unshare', '--mount', '--propagation', 'private'];
  const pkgEnv = ['env', 'DEBIAN_FRONTEND=noninteractive', 'NEEDRESTART_SUSPEND=1', 'LC_ALL=C.UTF-8'];
  const unmount: Step = {
    id: 'unmount', kind: 'cleanup', title: 'unmount everything under the rootfs',
    why: 'Mounts are always undone, on success, failure and cancel; a rootfs with a live mount is never deleted.',
    argv: ['sh', '-c', UNMOUNT, 'sh', rootfs], needsRoot: true,
  };
  const removeWorkdir: Step = {
    id: 'remove-workdir', kind: 'cleanup', title: `remove ${workdir}`, when: 'unless-kept',
    why: 'The rootfs was only a means to the image; a folder with a live mount under it is never deleted.',
    argv: ['sh', '-c', REMOVE_WORKDIR, 'sh', workdir], needsRoot: true,
  };
  const steps: Step[] = [];

  if (opts.fromRootfs === undefined) {
    if (foreign) {
      steps.push({
        id: 'check-binfmt', kind: 'check', title: `check binfmt_misc runs ${arch} (qemu-${qemu})`,
        why: `${arch} is not this host's architecture (${opts.hostArch}): its programs run through qemu registered with binfmt_misc.`,
        argv: ['sh', '-c', CHECK_BINFMT, 'sh', qemu, arch], needsRoot: false,
      });
    }
    steps.push({
      id: 'prepare', kind: 'prepare', title: `create ${rootfs}`,
      why: keepRootfs ? 'The rootfs is built here and kept (--keep-rootfs).' : 'A private work folder for the rootfs; removed when the build ends.',
      argv: ['mkdir', '-p', '--', rootfs], needsRoot: false,
      ...(!keepRootfs && { cleanup: [removeWorkdir] }),
    });

    // mmdebstrap's merged-usr hook is two scripts: setup00.sh makes the /usr symlinks and installs a dummy
    // usr-is-merged, and essential00.sh upgrades the dummy to the real package in an apt run of its own (3 s of a
    // cold build: apt's start, its lists, a dpkg run). Only the first runs here; the real usr-is-merged is one more
    // package in mmdebstrap's own apt run, which upgrades the dummy with the rest. Same packages, same files (the
    // image ID is the hook's: see ARCHITECTURE.md, "Builds").
    const mergedUsr = opts.mergedUsrHook !== false;
    const mmPackages = mergedUsr && !packages.includes('usr-is-merged') ? [...packages, 'usr-is-merged'] : packages;
    const includes = mmPackages.length > 0 ? [`--include=${mmPackages.join(',')}`] : [];
    const restored = opts.rootfsCache?.hit === true ? opts.rootfsCache : undefined;
    let seededBuild = false;
    if (restored) {
      steps.push({
        id: 'rootfs-restore', kind: 'cache', title: `rootfs from cache (key ${restored.key.slice(0, 16)})`,
        why: 'Only the config, slim or remove changed since this package set was built: its rootfs as it was before the slim step is extracted, and bootstrap, upgrade and packages do not run.',
        argv: ['sh', '-c', ROOTFS_RESTORE, 'sh', rootfs, restored.dir], needsRoot: true,
      });
    } else if (tool === 'mmdebstrap') {
      // Named even when it is mmdebstrap's own default: without a mirror it would mix the update suites into the bootstrap.
      const release = mirror ?? opts.toolDefaults?.mirror;
      // Without a lock, mmdebstrap installs from the archives themselves: the release and (updating) its updates and
      // security suites in one run, so apt picks the newest version of every package and no upgrade step reinstalls
      // any. A warm cache only seeds the .debs and apt's lists, so nothing it holds decides a version.
      const fromArchive = !locked && release !== undefined;
      const seeded = fromArchive && warm;
      seededBuild = seeded;
      const archiveSources = upgrading ? fixes.buildSources!.split('\n').filter(Boolean) : release !== undefined ? [release] : [];
      const source = fromArchive || !warm ? archiveSources
        : [`deb [trusted=yes] file://${encodeURI(opts.lockedRepo !== undefined ? workPath(opts.lockedRepo, 'the lock\'s repository') : cache!.dir)} ${recipe.suite} main`];
      const keepDebs = fromArchive && cache !== undefined;
      steps.push({
        id: 'bootstrap', kind: 'bootstrap',
        title: locked ? `bootstrap ${recipe.distro} ${recipe.suite} ${arch} from the lock's packages (mmdebstrap)`
          : seeded ? `bootstrap ${recipe.distro} ${recipe.suite} ${arch}${upgrading ? ` with ${fixes.suites.join(' and ')}` : ''} from the package cache (mmdebstrap)`
          : warm ? `bootstrap ${recipe.distro} ${recipe.suite} ${arch} from the package cache (mmdebstrap)`
          : `bootstrap ${recipe.distro} ${recipe.suite} ${arch}${upgrading ? ` with ${fixes.suites.join(' and ')}` : ''} (mmdebstrap)`,
        why: locked
          ? 'The lock names every package and version: mmdebstrap installs exactly those, each .deb checked against the lock\'s SHA-256 before this step, from a repository of them alone.'
          : seeded
          ? `The archives say which version is newest${upgrading ? ` (the release, ${fixes.suites.join(' and ')}${fixes.securityMirror ? `, security archive ${fixes.securityMirror}` : ''})` : ''}; the package cache seeds apt's lists and .debs, so only what changed since the last build is downloaded.`
          : warm
          ? `The cache holds every package this recipe needs: mmdebstrap installs them from it, downloading nothing (debootstrap's own --cache-dir saves no time).`
          : `mmdebstrap --variant=${variant} installs the same packages as debootstrap, about twice as fast${packages.length ? ', with the recipe\'s packages (no recommends)' : ''}`
            + (upgrading ? `, each at its newest version in the release, ${fixes.suites.join(' and ')}${fixes.securityMirror ? ` (security archive ${fixes.securityMirror})` : ''}: no second install for the fixes.` : '.'),
        argv: [
          ...unshare, ...pkgEnv, ...(seeded ? [`${SEED_CACHE_ENV}=${cache!.dir}`] : []), 'mmdebstrap', `--variant=${variant}`, `--arch=${arch}`,
          ...(!warm || fromArchive ? [`--components=${components.join(',')}`] : []),
          ...includes,
          ...(mergedUsr ? [`--setup-hook=${MERGED_USR_HOOK}/setup00.sh`] : []),
          ...(warm && !fromArchive ? [`--hook-dir=${FILE_MIRROR_HOOK}`] : []),
          ...(seeded ? [`--setup-hook=${SEED_CACHE}`] : []),
          `--setup-hook=${UNSAFE_IO_ON}`, `--customize-hook=${UNSAFE_IO_OFF}`,
          ...(keepDebs ? ['--skip=download/empty', '--skip=essential/unlink', '--skip=cleanup/apt'] : []),
          // The lists stay for the source-date step (the archive's Release date) and the updates count; the slim step drops them.
          ...(fromArchive && !cache ? ['--skip=cleanup/apt/lists'] : []),
          recipe.suite, rootfs, ...source,
        ],
        needsRoot: true, cleanup: [unmount],
      });
      if (upgrading && fromArchive) {
        steps.push({
          id: 'count-updates', kind: 'upgrade', title: `count the packages ${fixes.suites.join(' and ')} brought`,
          why: `The bootstrap installed the newest versions; every installed package whose version is not the one ${recipe.suite} was released with came from ${fixes.suites.join(' or ')} (the image's ownbase.updates.applied label).`,
          argv: ['sh', '-c', COUNT_UPDATES, 'sh', rootfs, countFile, recipe.suite, ...components], needsRoot: true,
        });
      }
      if (upgrading && !fromArchive) steps.push(upgradeStep());
    } else {
      steps.push({
        id: 'bootstrap', kind: 'bootstrap', title: `bootstrap ${recipe.distro} ${recipe.suite} ${arch} (debootstrap${foreign ? ' --foreign' : ''})`,
        why: foreign
          ? `First stage only: unpack the ${arch} packages; they are configured inside the chroot through qemu.`
          : `debootstrap --variant=${variant}: the smallest system apt can manage, in a private mount namespace so its mounts die with it.`,
        argv: [
          ...unshare, 'debootstrap', `--variant=${variant}`, `--arch=${arch}`, `--components=${components.join(',')}`,
          ...(foreign ? ['--foreign'] : []), recipe.suite, rootfs, ...(mirror !== undefined ? [mirror] : []),
        ],
        needsRoot: true, cleanup: [unmount],
      });
      if (foreign) {
        steps.push({
          id: 'qemu', kind: 'qemu', title: `copy qemu-${qemu}-static into the rootfs`,
          why: 'The second stage runs inside the chroot; the emulator is removed again before the import.',
          argv: ['cp', '--', `/usr/bin/qemu-${qemu}-static`, `${rootfs}/usr/bin/qemu-${qemu}-static`], needsRoot: true,
        });
        steps.push({
          id: 'second-stage', kind: 'second-stage', title: 'debootstrap --second-stage inside the chroot',
          why: `Configures the unpacked ${arch} packages by running their scripts under qemu.`,
          argv: [...unshare, 'sh', '-c', CHROOT_RUN, 'sh', rootfs, '/debootstrap/debootstrap', '--second-stage'],
          needsRoot: true, cleanup: [unmount],
        });
      }
      if (upgrading) steps.push(upgradeStep());
      if (packages.length > 0) {
        steps.push({
          id: 'packages', kind: 'chroot', title: `install ${packages.join(' ')} in the chroot`,
          why: 'apt-get install --no-install-recommends inside the chroot (/dev, /run, /proc bound in a private mount namespace); a policy-rc.d keeps services from starting.',
          argv: [...unshare, 'sh', '-c', CHROOT_RUN, 'sh', rootfs, ...pkgEnv, '/bin/sh', '-c', INSTALL, 'sh', ...packages],
          needsRoot: true, cleanup: [unmount],
        });
      }
    }

    if (cache && (!warm || upgrading || seededBuild) && !locked && !restored) {
      steps.push({
        id: 'cache', kind: 'cache', title: warm ? `keep the packages this build downloaded in ${cache.dir}` : `keep the downloaded packages in ${cache.dir}`,
        why: tool === 'mmdebstrap'
          ? 'The next build of this suite and architecture downloads only what changed: the .debs and the archives\' indices kept here seed it, while the archives still say which version is newest.'
          : upgrading
          ? "The next build of this suite and architecture installs them from a local repository; its upgrade still asks the archives what is newest (the indices kept here make that a small download)."
          : 'The next build of this suite and architecture installs them from a local repository and downloads nothing.',
        argv: ['sh', '-c', CACHE_SAVE, 'sh', rootfs, cache.dir, recipe.suite, arch, variant], needsRoot: true,
      });
    }
    if (opts.sourceDateEpoch === undefined && !restored) {
      steps.push({
        id: 'source-date', kind: 'finalize', title: "take SOURCE_DATE_EPOCH from the archive's Release date",
        why: 'Reproducible: the image\'s created time and every later mtime in its layer are this date, not the build\'s, so two builds of the same archive state give the same image ID.',
        argv: ['sh', '-c', SOURCE_DATE, 'sh', rootfs, sourceDateFile(rootfs), recipe.suite, cache?.dir ?? '', opts.recordPackages === true ? releaseRecordFile(rootfs) : ''], needsRoot: true,
      });
    }
    if (opts.recordPackages === true && !restored) {
      steps.push({
        id: 'record-packages', kind: 'finalize', title: 'record the installed packages for the lock',
        why: 'The lock lists what the bootstrap installed, before the slim step purges anything, so a build from the lock takes the same path.',
        argv: ['sh', '-c', RECORD_PACKAGES, 'sh', rootfs, packagesRecordFile(rootfs)], needsRoot: true,
      });
    }
    const finalizeCache = restored ? restored.finalizeCache : warm ? opts.lockedRepo ?? cache!.dir : '';
    if (opts.rootfsCache && !restored) {
      steps.push({
        id: 'rootfs-save', kind: 'cache', title: `keep the rootfs in the cache (key ${opts.rootfsCache.key.slice(0, 16)})`,
        why: `A rebuild with the same packages and archive state but another config, slim or remove starts from here instead of bootstrapping; the cache keeps the ${ROOTFS_CACHE_KEEP} most recently used.`,
        argv: ['sh', '-c', ROOTFS_SAVE, 'sh', rootfs, opts.rootfsCache.dir, String(ROOTFS_CACHE_KEEP), finalizeCache, recipe.slim !== false ? 'yes' : 'no'],
        needsRoot: true,
      });
    }
    if (recipe.slim !== false) {
      steps.push({
        id: 'slim', kind: 'slim', title: 'slim: no docs, man pages, locales, apt lists or caches',
        why: 'As the official slim images, and a little further: a container never reads them, never converts EBCDIC or makes a ' +
          'filesystem; dpkg path-excludes keep later installs slim too. Packages the recipe names are kept.',
        argv: ['chroot', rootfs, '/bin/sh', '-c', SLIM, 'sh', ...packages], needsRoot: true,
      });
    }
    if ((recipe.remove ?? []).length > 0) {
      steps.push({
        id: 'remove', kind: 'remove', title: `remove ${recipe.remove!.join(' ')}`,
        why: "The recipe's remove list, expanded by the chroot's own shell so no path can lead outside the rootfs.",
        argv: ['chroot', rootfs, '/bin/sh', '-c', REMOVE, 'sh', ...recipe.remove!], needsRoot: true,
      });
    }
    steps.push({
      id: 'finalize', kind: 'finalize', title: 'remove build-time traces',
      why: `The host's resolv.conf and hostname${foreign && tool === 'debootstrap' ? ', the emulator' : ''} and the build's apt sources do not belong in the image; `
        + (fixes.sources ? `${fixes.sources.path} names ${fixes.sources.suites.join(', ')} as the official images do.` : "the cache's apt sources are restored."),
      argv: ['sh', '-c', FINALIZE, 'sh', rootfs, finalizeCache, foreign && tool === 'debootstrap' ? `/usr/bin/qemu-${qemu}-static` : '',
        fixes.sources?.file.path ?? '', fixes.sources?.file.text ?? ''],
      needsRoot: true,
    });
  }

  const image = { tag, arch, config, labels };
  if (opts.output !== undefined) {
    steps.push({
      id: 'archive', kind: 'archive', title: `write the image archive ${opts.output}`,
      why: 'No engine: an OCI image archive, loadable later with docker load -i.',
      argv: [], needsRoot: false, inProcess: 'archive',
    });
  } else {
    const platform = foreign ? ['--platform', platformString(platformOf(arch))] : [];
    steps.push({
      id: 'import', kind: 'import', title: `import as ${tag}`,
      why: `One layer with the recipe's config, labelled ${arch} in its image config; the name ${tag} is set only once the import succeeded.`,
      argv: ['sh', '-c', IMPORT, 'sh', rootfs, tag, upgrading || opts.fromRootfs !== undefined ? countFile : '', ...platform, ...changes.flatMap((c) => ['--change', c])],
      needsRoot: true, inProcess: 'import', keepWorkOnFailure: true,
    });
  }

  return {
    sourceDate: { file: sourceDateFile(rootfs), ...(opts.sourceDateEpoch !== undefined && { epoch: opts.sourceDateEpoch }) },
    recipe, builder, builderWhy: chosen.why, bootstrapTool: tool, arch, hostArch: opts.hostArch, foreign, workdir, rootfs, keepRootfs,
    ...(mirror !== undefined && { mirror }), ...(cache && { cache }), image,
    ...(opts.output !== undefined && { output: opts.output }), steps, updates,
    ...(fixes.sources && opts.fromRootfs === undefined && { sources: fixes.sources.file }), warnings: fixes.warnings,
  };

  function upgradeStep(): Step {
    return {
      id: 'upgrade', kind: 'upgrade', title: `upgrade from ${fixes.suites.join(' and ')}`,
      why: `The release as published lacks every fix since: apt upgrades from ${fixes.suites.join(' and ')}${fixes.securityMirror ? ` (security archive ${fixes.securityMirror})` : ''}; `
        + 'the archives, not the package cache, say which version is newest.',
      argv: [...unshare, ...pkgEnv, 'sh', '-c', UPGRADE, 'sh', rootfs, countFile, cache?.dir ?? '', fixes.buildSources!],
      needsRoot: true, cleanup: [unmount],
    };
  }
}

interface PlannedUpdates {
  /** The suites the upgrade step uses; empty: no upgrade. */
  readonly suites: string[];
  readonly securityMirror?: string;
  /** The one-line sources the upgrade uses (the build's mirrors). */
  readonly buildSources?: string;
  /** The image's apt sources and the suites they name. */
  readonly sources?: { readonly file: AptSourcesFile; readonly path: string; readonly suites: string[] };
  readonly left?: string;
  readonly warnings: string[];
}

/**
 * Which update suites a build applies, from which mirrors, and what the image's apt sources say.
 * The build may use a mirror only this machine reaches (a local proxy); the image names the
 * recipe's mirror, else a non-local one of the machine's, else the bootstrap tool's default.
 */
function planUpdates(recipe: Recipe, mirror: string | undefined, opts: PlanOptions): PlannedUpdates {
  const warnings: string[] = [];
  const defaults = opts.toolDefaults ?? {};
  const on = recipe.updates !== false;
  const components = recipe.components ?? ['main'];
  const { updates, security } = updateSuites(recipe.distro, recipe.suite);
  const named = [updates, security].filter((x): x is string => x !== undefined);
  const imageOf = (fromRecipe: string | undefined, fromHost: string | undefined, fallback: string | undefined, what: string): string | undefined => {
    if (fromRecipe !== undefined) return fromRecipe;
    if (fromHost === undefined || !isLocalOnlyUrl(fromHost)) return fromHost ?? fallback;
    if (fallback !== undefined) {
      warnings.push(`this machine's ${what} ${fromHost} is local to it (a proxy): the build uses it, the image's apt sources name ${fallback}`);
      return fallback;
    }
    warnings.push(`this machine's ${what} ${fromHost} is local to it (a proxy) and no other is known: the image's apt sources name it; set the recipe's ${what === 'mirror' ? 'mirror' : 'security_mirror'}`);
    return fromHost;
  };
  const buildMirror = mirror ?? defaults.mirror;
  const imageMirror = imageOf(recipe.mirror, opts.hostMirror, defaults.mirror, 'mirror');
  let left: string | undefined;
  let securityMirror: string | undefined;
  let imageSecurity: string | undefined;
  const suites: string[] = [];
  if (!on) {
    left = named.length > 0 ? `updates: false: ${recipe.distro} ${recipe.suite} as published, without ${named.join(' and ')}` : undefined;
  } else if (named.length === 0) {
    left = `${recipe.suite} has no updates or security suites`;
  } else if (buildMirror === undefined) {
    left = `no ${recipe.distro} mirror known to write apt sources for: built without ${named.join(' and ')}`;
    warnings.push(`${left}; name the recipe's mirror`);
  } else {
    if (updates) suites.push(updates);
    if (security) {
      // Today's security archive is not the snapshot's time: a snapshot build takes security fixes only from a named one.
      securityMirror = recipe.snapshot !== undefined ? recipe.security_mirror : recipe.security_mirror ?? opts.hostSecurityMirror ?? defaults.security;
      if (securityMirror === undefined && recipe.snapshot !== undefined) {
        left = `snapshot ${recipe.snapshot} and no security_mirror: built without ${security}`;
        warnings.push(`${left}; name the security archive's snapshot-style base in the recipe's security_mirror to take its fixes of that time`);
      } else if (securityMirror === undefined) {
        left = `no security archive known for ${recipe.distro}: built without ${security}`;
        warnings.push(`neither this machine's apt sources nor the bootstrap tools name a security archive for ${recipe.distro}: the image is built without ${security} and its security fixes; name one in the recipe's security_mirror`);
      } else {
        suites.push(security);
        imageSecurity = imageOf(recipe.security_mirror, opts.hostSecurityMirror, defaults.security, 'security archive');
      }
    }
  }
  const spec = (m: string, sec: string | undefined): SourcesSpec => ({
    distro: recipe.distro, suite: recipe.suite, components, mirror: m,
    ...(suites.includes(updates ?? '') && { updates: updates! }),
    ...(sec !== undefined && security !== undefined && suites.includes(security) && { security: { suite: security, mirror: sec } }),
  });
  const buildSources = suites.length > 0 ? oneLineSources(spec(buildMirror!, securityMirror)) : undefined;
  let sources: PlannedUpdates['sources'];
  if (imageMirror !== undefined) {
    const s = spec(imageMirror, imageSecurity);
    const file = aptSourcesFile(s);
    sources = { file, path: file.path, suites: [recipe.suite, ...(s.updates ? [s.updates] : []), ...(s.security ? [s.security.suite] : [])] };
  }
  return {
    suites, ...(securityMirror !== undefined && { securityMirror }), ...(buildSources !== undefined && { buildSources }),
    ...(sources && { sources }), ...(left !== undefined && { left }), warnings,
  };
}

/** The build's SOURCE_DATE_EPOCH: the plan's (a lock's), else what the source-date step wrote; undefined when neither. */
export function sourceDateEpoch(plan: Pick<Plan, 'sourceDate'>): number | undefined {
  if (plan.sourceDate.epoch !== undefined) return plan.sourceDate.epoch;
  if (!existsSync(plan.sourceDate.file)) return undefined;
  const n = Number.parseInt(readFileSync(plan.sourceDate.file, 'utf8').trim(), 10);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** How many packages the upgrade step upgraded: the number it wrote, or undefined before it ran (or without one). */
export function updatesApplied(plan: Pick<Plan, 'updates'>): number | undefined {
  if (!existsSync(plan.updates.countFile)) return undefined;
  const n = Number.parseInt(readFileSync(plan.updates.countFile, 'utf8').trim(), 10);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** The image label known only after the upgrade step: `ownbase.updates.applied` (none when it did not run). */
export function updatesLabels(applied: number | undefined): Record<string, string> {
  return applied === undefined ? {} : { [LABEL_UPDATES_APPLIED]: String(applied) };
}

/** The last line of a build: what the update and security suites brought (or why they did not). */
export function updatesSummary(plan: Pick<Plan, 'updates'>, applied: number | undefined): string {
  const u = plan.updates;
  const tail = u.left !== undefined ? `; ${u.left}` : '';
  if (u.suites.length === 0) return `updates: none applied${tail}`;
  if (applied === undefined) return `updates: ${u.suites.join(' and ')} not applied (the upgrade did not run)${tail}`;
  return `updates: ${applied} package${applied === 1 ? '' : 's'} upgraded from ${u.suites.join(' and ')}${tail}`;
}
