/**
 * The one architecture table: the recipe schema's `arch` enum, lint's foreign-architecture check (OB203),
 * the plan's native/emulated decision and the image platform all read it.
 */
export interface Arch {
  /** Debian's name. */
  readonly name: string;
  /** qemu-user's name: `qemu-<qemu>-static`, binfmt entry `qemu-<qemu>`. */
  readonly qemu: string;
  /** Host architectures that run this one natively (no emulation). */
  readonly nativeOn?: readonly string[];
  /** The OCI platform (Go's GOARCH names; Debian's where Go has none). */
  readonly oci: { readonly architecture: string; readonly variant?: string };
  /** Node.js's `process.arch` on this architecture, where Node runs on it. */
  readonly node?: string;
}

/** Same order as the `arch` enum of schema.json (a test keeps them equal). */
export const ARCHES: readonly Arch[] = [
  { name: 'amd64', qemu: 'x86_64', oci: { architecture: 'amd64' }, node: 'x64' },
  { name: 'arm64', qemu: 'aarch64', oci: { architecture: 'arm64', variant: 'v8' }, node: 'arm64' },
  { name: 'armel', qemu: 'arm', nativeOn: ['arm64'], oci: { architecture: 'arm', variant: 'v5' } },
  { name: 'armhf', qemu: 'arm', nativeOn: ['arm64'], oci: { architecture: 'arm', variant: 'v7' }, node: 'arm' },
  { name: 'i386', qemu: 'i386', nativeOn: ['amd64'], oci: { architecture: '386' }, node: 'ia32' },
  { name: 'ppc64el', qemu: 'ppc64le', oci: { architecture: 'ppc64le' }, node: 'ppc64' },
  { name: 's390x', qemu: 's390x', oci: { architecture: 's390x' }, node: 's390x' },
  { name: 'riscv64', qemu: 'riscv64', oci: { architecture: 'riscv64' }, node: 'riscv64' },
  { name: 'mips64el', qemu: 'mips64el', oci: { architecture: 'mips64le' }, node: 'mips64el' },
  { name: 'mipsel', qemu: 'mipsel', oci: { architecture: 'mipsle' }, node: 'mipsel' },
  { name: 'loong64', qemu: 'loongarch64', oci: { architecture: 'loong64' }, node: 'loong64' },
  { name: 'ppc64', qemu: 'ppc64', oci: { architecture: 'ppc64' } },
  { name: 'powerpc', qemu: 'ppc', oci: { architecture: 'ppc' }, node: 'ppc' },
  { name: 'sparc64', qemu: 'sparc64', oci: { architecture: 'sparc64' } },
  { name: 'hppa', qemu: 'hppa', oci: { architecture: 'hppa' } },
  { name: 'm68k', qemu: 'm68k', oci: { architecture: 'm68k' } },
  { name: 'alpha', qemu: 'alpha', oci: { architecture: 'alpha' } },
  { name: 'sh4', qemu: 'sh4', oci: { architecture: 'sh4' } },
];

const BY_NAME = new Map(ARCHES.map((a) => [a.name, a]));

export function findArch(name: string): Arch | undefined {
  return BY_NAME.get(name);
}

/** qemu-user's name for a Debian architecture: arm64 → aarch64, armhf → arm, ppc64el → ppc64le. */
export function qemuName(debianArch: string): string | undefined {
  return BY_NAME.get(debianArch)?.qemu;
}

/** A host of `hostArch` runs `arch` programs without qemu (the same, or a compatible 32-bit one). */
export function runsNatively(hostArch: string, arch: string): boolean {
  return arch === hostArch || (BY_NAME.get(arch)?.nativeOn?.includes(hostArch) ?? false);
}

/** Debian's name for a Node.js `process.arch` (unknown names pass through). */
export function debianArchOf(nodeArch: string): string {
  return ARCHES.find((a) => a.node === nodeArch)?.name ?? nodeArch;
}

/** An OCI platform as image configs and indexes spell it. */
export interface Platform {
  readonly os: 'linux';
  readonly architecture: string;
  readonly variant?: string;
}

/** The OCI platform of a Debian architecture (`armhf` → `linux/arm/v7`); throws on an unknown one. */
export function platformOf(debianArch: string): Platform {
  const a = BY_NAME.get(debianArch);
  if (!a) throw new Error(`Unknown Debian architecture "${debianArch}": use one of ${ARCHES.map((x) => x.name).join(', ')}`);
  return { os: 'linux', ...a.oci };
}

/** `linux/arm/v7` */
export const platformString = (p: Platform): string =>
  [p.os, p.architecture, ...(p.variant !== undefined ? [p.variant] : [])].join('/');
