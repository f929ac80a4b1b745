import type { ImageTree } from './tree';

/** What a driver gives the checks: a way to run a program in the image, its configuration and its size. */

export interface ExecOptions {
  /** `root`, `1000`, `app:app`; undefined: the image's USER. */
  readonly user?: string;
  readonly timeoutMs: number;
  /** Variables added to the program's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ExecResult {
  /** null when it was killed (the timeout) or could not start. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Why it could not be run at all (the driver's own failure, not the program's). */
  readonly error?: string;
}

/** The image configuration as the engine reports it, normalised (absent lists and maps are empty). */
export interface ImageFacts {
  readonly env: Readonly<Record<string, string>>;
  readonly cmd: readonly string[];
  readonly entrypoint: readonly string[];
  readonly workdir: string;
  readonly user: string;
  readonly exposedPorts: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

export interface CheckTarget {
  /** The image reference or the rootfs folder. */
  readonly name: string;
  readonly driver: 'engine' | 'rootfs';
  /** Runs an argv in the image, no shell, no network, killed at the timeout. Never throws. */
  exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult>;
  /** The image configuration; undefined for a rootfs, which has none. */
  config(): Promise<ImageFacts | undefined>;
  /** Uncompressed bytes (what `docker images` shows for the image; the files' sizes for a rootfs). */
  size(): Promise<number>;
  /** Bytes of the image's filesystem as one gzip-compressed (level 6) tar layer. */
  compressedSize(): Promise<number>;
  /**
   * An image with no shell (a runtime image): its files, read once, for the checks that a shell script does
   * elsewhere (tree.ts). Absent: the target runs those scripts.
   */
  tree?(): Promise<ImageTree>;
  /** Ends what the target started (the container). */
  close(): Promise<void>;
}

/** The most of one stream kept from a program's output; the rest is cut (and said). */
export const MAX_OUTPUT_CHARS = 1 << 20;
