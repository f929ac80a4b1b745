/** A `packages` entry: `name[:arch][=version]`. */
export interface PackageSpec {
  readonly name: string;
  readonly arch?: string;
  readonly version?: string;
}

const NAME = '[a-z0-9][a-z0-9+.-]+';

/**
 * The one package-name rule: a Debian package name (two or more of lowercase letters, digits, `+`, `-`, `.`,
 * starting with a letter or digit), optionally `:arch` and `=version`. schema.json's `packages` pattern is
 * its source (a test keeps them equal); the plan, the recipe validator and the Dockerfile's apt reader use it.
 */
export const PACKAGE_SPEC = new RegExp(`^${NAME}(:[a-z0-9-]+)?(=[A-Za-z0-9.+~:-]+)?$`);

const PACKAGE_NAME = new RegExp(`^${NAME}$`);

/** A bare package name, without `:arch` or `=version`. */
export const isPackageName = (s: string): boolean => PACKAGE_NAME.test(s);

export function parsePackageSpec(entry: string): PackageSpec {
  const eq = entry.indexOf('=');
  const head = eq >= 0 ? entry.slice(0, eq) : entry;
  const version = eq >= 0 ? entry.slice(eq + 1) : undefined;
  const colon = head.indexOf(':');
  return {
    name: colon >= 0 ? head.slice(0, colon) : head,
    ...(colon >= 0 && { arch: head.slice(colon + 1) }),
    ...(version !== undefined && { version }),
  };
}
