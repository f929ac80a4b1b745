import { posix } from 'node:path';
import { configChanges } from '../engine/imageConfig';
import { provenanceLabels } from '../engine/labels';
import { findArch, platformOf, platformString, qemuName, runsNatively } from '../kernel/arch';
import { parseTagName } from '../kernel/imageRef';
import { imageVerdict } from '../recipe/rules/imageRef';
import type { Builder, Recipe } from '../recipe/types';
import { isMirrorUrl, recipeErrors, variantProblem } from '../recipe/validate';
import {
  CACHE_SAVE, CHECK_BINFMT, CHROOT_RUN, FINALIZE, IMPORT, INSTALL, REMOVE, REMOVE_WORKDIR, SLIM, UNMOUNT,
  UNSAFE_IO_OFF, UNSAFE_IO_ON,
} from './scripts';
import type { Plan, Step } from './types';

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
  /** Overrides the recipe's builder (`--builder`); default debootstrap. */
  readonly builder?: Builder;
  /** Build in this folder and keep it (`--keep-rootfs`). */
  readonly keepRootfs?: string;
  /** The .deb cache of this distro/suite/arch (see cache.ts); omitted, nothing is cached. */
  readonly cache?: { readonly dir: string; readonly warm: boolean };
  /** The mirror from the host's apt sources, used when the recipe names none. */
  readonly hostMirror?: string;
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
 * The build of a recipe as data: ordered steps with their reasons and cleanups. Pure: everything it
 * needs to know about the machine comes in `opts`.
 */
export function planBuild(recipe: Recipe, opts: PlanOptions): Plan {
  validate(recipe);
  const arch = recipe.arch ?? opts.hostArch;
  if (!findArch(arch)) throw new PlanError(`the host architecture ${JSON.stringify(arch)} is not a Debian architecture: set arch in the recipe`);
  const builder: Builder = opts.builder ?? recipe.builder ?? 'debootstrap';
  const foreign = !runsNatively(opts.hostArch, arch);
  const qemu = qemuName(arch)!;
  const variant = recipe.variant ?? 'minbase';
  if (opts.builder !== undefined) {
    const why = variantProblem(variant, opts.builder, `--builder ${opts.builder}`);
    if (why !== undefined) throw new PlanError(why);
  }
  const components = recipe.components ?? ['main'];
  const packages = recipe.packages ?? [];
  const mirror = recipe.mirror ?? opts.hostMirror;
  if (mirror !== undefined && !isMirrorUrl(mirror)) throw new PlanError(`the host's mirror ${JSON.stringify(mirror)} is not an http(s):// or file:// URL without spaces or quotes: name one in the recipe`);
  const kept = opts.fromRootfs ?? opts.keepRootfs;
  const keepRootfs = kept !== undefined;
  const workdir = workPath(kept ?? opts.workdir, opts.fromRootfs !== undefined ? '--from-rootfs' : keepRootfs ? '--keep-rootfs' : 'the work folder (--workdir, ownbase.build.workDir)');
  const rootfs = keepRootfs ? workdir : `${workdir}/rootfs`;
  const cache = opts.cache ? { dir: workPath(opts.cache.dir, 'the cache folder (--cache-dir, ownbase.build.cacheDir)'), warm: opts.cache.warm } : undefined;
  const warm = cache?.warm === true;
  const tool: Builder = warm ? 'mmdebstrap' : builder;
  const tag = opts.tag ?? recipe.image;
  if (opts.tag !== undefined) {
    const v = imageVerdict(opts.tag);
    if (v?.severity === 'error') throw new PlanError(`--tag: ${v.message}`);
  }
  try { parseTagName(tag); } catch (e) { throw new PlanError((e as Error).message); }

  const labels = provenanceLabels({
    baseName: `${recipe.distro}:${recipe.suite}`,
    ...(opts.recipePath !== undefined && { recipePath: opts.recipePath }),
    ...(opts.recipeSha256 !== undefined && { recipeSha256: opts.recipeSha256 }),
  });
  const config = recipe.config ?? {};
  let changes: string[];
  try { changes = configChanges(config, labels); } catch (e) { throw new PlanError(`recipe config: ${(e as Error).message}`); }

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

    const includes = packages.length > 0 ? [`--include=${packages.join(',')}`] : [];
    if (tool === 'mmdebstrap') {
      const cold = !warm;
      const source = warm ? [`deb [trusted=yes] file://${encodeURI(cache!.dir)} ${recipe.suite} main`] : mirror !== undefined ? [mirror] : [];
      steps.push({
        id: 'bootstrap', kind: 'bootstrap',
        title: warm ? `bootstrap ${recipe.distro} ${recipe.suite} ${arch} from the package cache (mmdebstrap)` : `bootstrap ${recipe.distro} ${recipe.suite} ${arch} (mmdebstrap)`,
        why: warm
          ? `The cache holds every package this recipe needs: mmdebstrap installs them from it, downloading nothing (debootstrap's own --cache-dir saves no time).`
          : `mmdebstrap --variant=${variant} installs the same packages as debootstrap, about twice as fast${packages.length ? ', with the recipe\'s packages (no recommends)' : ''}.`,
        argv: [
          ...unshare, ...pkgEnv, 'mmdebstrap', `--variant=${variant}`, `--arch=${arch}`,
          ...(cold ? [`--components=${components.join(',')}`] : []),
          ...includes,
          ...(opts.mergedUsrHook !== false ? [`--hook-dir=${MERGED_USR_HOOK}`] : []),
          ...(warm ? [`--hook-dir=${FILE_MIRROR_HOOK}`] : []),
          `--setup-hook=${UNSAFE_IO_ON}`, `--customize-hook=${UNSAFE_IO_OFF}`,
          ...(cold && cache ? ['--skip=download/empty', '--skip=essential/unlink', '--skip=cleanup/apt'] : []),
          recipe.suite, rootfs, ...source,
        ],
        needsRoot: true, cleanup: [unmount],
      });
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
      if (packages.length > 0) {
        steps.push({
          id: 'packages', kind: 'chroot', title: `install ${packages.join(' ')} in the chroot`,
          why: 'apt-get install --no-install-recommends inside the chroot (/dev, /run, /proc bound in a private mount namespace); a policy-rc.d keeps services from starting.',
          argv: [...unshare, 'sh', '-c', CHROOT_RUN, 'sh', rootfs, ...pkgEnv, '/bin/sh', '-c', INSTALL, 'sh', ...packages],
          needsRoot: true, cleanup: [unmount],
        });
      }
    }

    if (cache && !warm) {
      steps.push({
        id: 'cache', kind: 'cache', title: `keep the downloaded packages in ${cache.dir}`,
        why: 'The next build of this suite and architecture installs them from a local repository and downloads nothing.',
        argv: ['sh', '-c', CACHE_SAVE, 'sh', rootfs, cache.dir, recipe.suite, arch, variant], needsRoot: true,
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
      why: `The host's resolv.conf and hostname${foreign && tool === 'debootstrap' ? ', the emulator' : ''}${warm ? " and the cache's apt sources (the archive's come back)" : ''} do not belong in the image.`,
      argv: ['sh', '-c', FINALIZE, 'sh', rootfs, warm ? cache!.dir : '', foreign && tool === 'debootstrap' ? `/usr/bin/qemu-${qemu}-static` : ''],
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
      argv: ['sh', '-c', IMPORT, 'sh', rootfs, tag, ...platform, ...changes.flatMap((c) => ['--change', c])],
      needsRoot: true, inProcess: 'import', keepWorkOnFailure: true,
    });
  }

  return {
    recipe, builder, bootstrapTool: tool, arch, hostArch: opts.hostArch, foreign, workdir, rootfs, keepRootfs,
    ...(mirror !== undefined && { mirror }), ...(cache && { cache }), image,
    ...(opts.output !== undefined && { output: opts.output }), steps,
  };
}
