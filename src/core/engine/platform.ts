/** An OCI platform as image configs and indexes spell it (Go's GOARCH names). */
export interface Platform {
  readonly os: 'linux';
  readonly architecture: string;
  readonly variant?: string;
}

const DEBIAN_TO_OCI: Readonly<Record<string, { architecture: string; variant?: string }>> = {
  amd64: { architecture: 'amd64' },
  arm64: { architecture: 'arm64', variant: 'v8' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v5' },
  i386: { architecture: '386' },
  ppc64el: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' },
  mips64el: { architecture: 'mips64le' },
  mipsel: { architecture: 'mipsle' },
  loong64: { architecture: 'loong64' },
};

/** Debian architecture names ownbase can label an image with. */
export const DEBIAN_ARCHES: readonly string[] = Object.keys(DEBIAN_TO_OCI);

/** The OCI platform of a Debian architecture (`armhf` → `linux/arm/v7`); throws on an unknown one. */
export function platformOf(debianArch: string): Platform {
  const p = Object.hasOwn(DEBIAN_TO_OCI, debianArch) ? DEBIAN_TO_OCI[debianArch] : undefined;
  if (!p) {
    throw new Error(`Unknown Debian architecture "${debianArch}": use one of ${DEBIAN_ARCHES.join(', ')}`);
  }
  return { os: 'linux', ...p };
}

/** `linux/arm/v7` */
export const platformString = (p: Platform): string =>
  [p.os, p.architecture, ...(p.variant !== undefined ? [p.variant] : [])].join('/');
