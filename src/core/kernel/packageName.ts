/** A `packages` entry: `name[:arch][=version]`. */
export interface PackageSpec {
  readonly name: string;
  readonly arch?: string;
  readonly version?: string;
}

export const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

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
