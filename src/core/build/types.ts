import type { Builder, ImageConfig, Recipe } from '../recipe/types';

/** What a step does; faces pick icons and progress texts from it. Also the build events' `kind` values. */
export const STEP_KINDS = [
  'check', // refuse early with an exact message (binfmt, …)
  'prepare', // create the work folder
  'bootstrap', // debootstrap / mmdebstrap
  'qemu', // copy the emulator into a foreign rootfs
  'second-stage', // debootstrap --second-stage inside the chroot
  'upgrade', // the release's updates and security suites
  'chroot', // work inside the chroot: install the recipe's packages
  'cache', // keep the downloaded .debs for the next build
  'slim', // drop what a container never uses
  'remove', // the recipe's `remove` globs
  'finalize', // undo build-time traces (apt sources of the cache, emulator, host files)
  'import', // into the engine
  'archive', // no engine: an image archive on disk
  'cleanup', // unmount, remove the work folder
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Steps the runner performs in-process (through the engine API) instead of running argv. */
export type InProcessAction = 'import' | 'archive';

/**
 * One unit of a build: an argv with a human reason. The terminal runner, the CLI runner and the
 * exported script all consume the same steps, so what a user sees is what the script runs.
 */
export interface Step {
  /** Stable within a plan; cleanups with the same id run once. */
  readonly id: string;
  readonly kind: StepKind;
  /** A few words: "bootstrap debian bookworm (mmdebstrap)". */
  readonly title: string;
  /** One line: why this step exists. */
  readonly why: string;
  /** The process to run; for an in-process step its shell equivalent (empty when there is none). */
  readonly argv: readonly string[];
  readonly needsRoot: boolean;
  /**
   * Armed when this step starts; run after the last step on success, failure and cancel, most
   * recently armed first.
   */
  readonly cleanup?: readonly Step[];
  /** For a cleanup: `unless-kept` is skipped when the run failed in a step with `keepWorkOnFailure`. */
  readonly when?: 'always' | 'unless-kept';
  /** A failure here keeps the work folder (the rootfs is complete: a retry needs only this step). */
  readonly keepWorkOnFailure?: boolean;
  /** Done by the runner's handler of this name (the engine API) rather than by running argv. */
  readonly inProcess?: InProcessAction;
}

/** What the import makes of the rootfs. */
export interface ImageSpec {
  readonly tag: string;
  /** Debian architecture. */
  readonly arch: string;
  readonly config: ImageConfig;
  readonly labels: Readonly<Record<string, string>>;
}

/** What a build does about the fixes published since the release. */
export interface UpdatesInfo {
  /** The update and security suites the upgrade step applies; empty: no upgrade step. */
  readonly suites: readonly string[];
  /** The security archive the upgrade uses. */
  readonly securityMirror?: string;
  /** What is left out and why (updates: false, no security archive known, a release without such suites). */
  readonly left?: string;
  /** Where the upgrade step writes how many packages it upgraded (next to the rootfs; see plan.ts updatesApplied). */
  readonly countFile: string;
}

export interface Plan {
  readonly recipe: Recipe;
  readonly builder: Builder;
  /** Why this builder, in words: `--builder`, the recipe's `builder`, or the default and what decided it. */
  readonly builderWhy: string;
  /** The tool that actually bootstraps: mmdebstrap replays a warm cache whatever the builder. */
  readonly bootstrapTool: Builder;
  readonly arch: string;
  readonly hostArch: string;
  /** arch needs emulation on this host (qemu through binfmt_misc). */
  readonly foreign: boolean;
  readonly workdir: string;
  readonly rootfs: string;
  /** The rootfs stays after the build (`--keep-rootfs`). */
  readonly keepRootfs: boolean;
  /** The Debian mirror the bootstrap uses; undefined: the tool's own default. */
  readonly mirror?: string;
  readonly cache?: { readonly dir: string; readonly warm: boolean };
  readonly image: ImageSpec;
  /** Set when the image goes to an archive file instead of the engine. */
  readonly output?: string;
  readonly steps: readonly Step[];
  readonly updates: UpdatesInfo;
  /** The image's apt sources (written by the finalize step); absent when no mirror is known. */
  readonly sources?: { readonly path: string; readonly text: string };
  /** The build's SOURCE_DATE_EPOCH: known (a lock's) or the file the source-date step writes (plan.ts sourceDateEpoch). */
  readonly sourceDate: { readonly file: string; readonly epoch?: number };
  /** What the user should know before the build runs (no security archive known, a local proxy, …). */
  readonly warnings: readonly string[];
}
