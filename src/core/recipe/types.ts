/**
 * A recipe (`*.ownbase.yaml`): how to build one owned base image. The field names are a contract
 * (README's recipe section; tools outside the project read them); add fields, never rename these.
 */
export type Distro = 'debian' | 'ubuntu';
export type Builder = 'debootstrap' | 'mmdebstrap';

export interface ImageConfig {
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly workdir?: string;
  readonly user?: string;
  readonly expose?: readonly (number | string)[];
  readonly labels?: Readonly<Record<string, string>>;
}

export interface Recipe {
  /** What the import tags, e.g. `owned/focal:20.04`. */
  readonly image: string;
  readonly distro: Distro;
  readonly suite: string;
  /** Debian architecture name (amd64, arm64, armhf, …); default: the host's. */
  readonly arch?: string;
  /** debootstrap variant; default `minbase`. */
  readonly variant?: string;
  /** Omitted: the bootstrap tool's own default. */
  readonly mirror?: string;
  /**
   * The security archive (it is not the release's mirror). Omitted: the one this machine's apt uses,
   * else the bootstrap tool's default.
   */
  readonly security_mirror?: string;
  /**
   * A point in time (`20261101T000000Z`) of a snapshot-style archive: the build uses `MIRROR/<snapshot>/`
   * (see snapshotUrl in core/build/mirror.ts).
   */
  readonly snapshot?: string;
  /** Upgrade from the release's updates and security suites and list them in the image; default true. */
  readonly updates?: boolean;
  readonly components?: readonly string[];
  readonly packages?: readonly string[];
  /** Globs of paths (inside the rootfs) removed after install. */
  readonly remove?: readonly string[];
  readonly config?: ImageConfig;
  /** Which bootstrap tool; default from the setting `ownbase.build.builder` (debootstrap). */
  readonly builder?: Builder;
  /** Slim like the official slim images (dpkg path-excludes, docs/man/locales, apt lists); default true. */
  readonly slim?: boolean;
  /** What the built image must do, checked after the build and by `ownbase test`. */
  readonly verify?: Verify;
  /** `base` (default): a bootstrapped base; `runtime`: only what `runtime.binaries` need (src/cli/buildRuntime.ts). */
  readonly profile?: Profile;
  /** The `runtime` profile's binaries and extras. */
  readonly runtime?: Runtime;
}

export type Profile = 'base' | 'runtime';

export interface RuntimeBinary {
  /** Relative: a file beside the recipe; absolute: a file of the bootstrapped root. */
  readonly path: string;
  /** Where it goes in the image; default /usr/local/bin/NAME (beside the recipe) or its own path (root). */
  readonly to?: string;
  /** Take it from this stage of `dockerfile` (docker build --target); `path` is its path there. */
  readonly stage?: string;
  /** With `stage`: the Dockerfile relative to the recipe (its folder the context); default Dockerfile. */
  readonly dockerfile?: string;
}

/** `runtime:` of a `profile: runtime` recipe. */
export interface Runtime {
  /** The first is the entrypoint. */
  readonly binaries: readonly RuntimeBinary[];
  /** Packages whose files come too (ca-certificates, tzdata); each also in `packages`. */
  readonly with?: readonly string[];
  /** The non-root user the image runs as; default nonroot. */
  readonly user?: string;
  /** /bin/sh in the image; default false. */
  readonly shell?: boolean;
}

/** Built-in checks of `verify.builtins`, each on unless false. */
export interface VerifyBuiltins {
  readonly apt?: boolean;
  readonly loader?: boolean;
  readonly setuid?: boolean;
  readonly scanners?: boolean;
}

export interface VerifyCommand {
  readonly name?: string;
  readonly argv: readonly string[];
  /** Default 0. */
  readonly exitCode?: number;
  readonly stdout?: readonly string[];
  readonly stdoutExcludes?: readonly string[];
  readonly stderr?: readonly string[];
  readonly stderrExcludes?: readonly string[];
  /** Seconds; default 30. */
  readonly timeout?: number;
  readonly user?: string;
}

export interface VerifyFile {
  /** Absolute; may be a glob. */
  readonly path: string;
  /** Default true. */
  readonly exists?: boolean;
  /** Octal, "0644". */
  readonly mode?: string;
  readonly owner?: string;
  readonly executableBy?: string;
  readonly contents?: readonly string[];
}

export interface VerifyMetadata {
  readonly env?: Readonly<Record<string, string>>;
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly workdir?: string;
  readonly user?: string;
  readonly exposedPorts?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

/** `verify:`: what the built image must do (src/core/checks runs it). */
export interface Verify {
  readonly builtins?: VerifyBuiltins;
  readonly commands?: readonly VerifyCommand[];
  readonly files?: readonly VerifyFile[];
  readonly metadata?: VerifyMetadata;
  /** Bytes, or a size with a unit ("80MB"). */
  readonly size?: { readonly max?: number | string; readonly maxCompressed?: number | string };
}
