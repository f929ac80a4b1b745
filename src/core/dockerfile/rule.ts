import type { Diagnostic, Severity } from '../kernel/diagnostic';
import type { DockerfileModel } from './model';

/** An image that a recipe in the workspace builds. */
export interface OwnedImage {
  /** The recipe's `image`, e.g. `owned/bookworm-slim:12`. */
  readonly image: string;
  readonly distro: string;
  readonly suite: string;
  /** Absolute path of the recipe file. */
  readonly recipePath: string;
}

export interface LintContext {
  readonly model: DockerfileModel;
  /** Images built by workspace recipes. */
  readonly ownedImages: readonly OwnedImage[];
  /** `ownbase.ownedImages` patterns (globs over the image name, e.g. `registry.example/base/*`). */
  readonly ownedPatterns: readonly string[];
  /** Absolute path of the Dockerfile, when it is a file; fixes that write files need it. */
  readonly path?: string;
  /** Whether a file exists; used to pick free names for files a fix creates. */
  readonly fileExists?: (path: string) => boolean;
  /** Whether fixes are computed (only when an editor asks for a diagnostic's fixes). */
  readonly fixes: boolean;
  /** Stages that are the accepted qemu-user-static exception (computed once). */
  readonly qemuStages: ReadonlySet<number>;
}

export interface Rule {
  readonly code: string;
  readonly name: string;
  readonly defaultSeverity: Severity;
  /** One short paragraph: what and why (README, SARIF rule help). */
  readonly description: string;
  /**
   * The rule's diagnostics, without fixes: fixes are computed when an editor asks (fixes/index.ts), so that
   * linting stays cheap and a lint of Dockerfiles never loads the recipe writer and its YAML library.
   */
  check(ctx: LintContext): Diagnostic[];
}

