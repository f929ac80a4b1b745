/** Debian architectures a recipe can name, with the qemu-user emulator that runs them on another host. */
export interface Arch {
  readonly name: string;
  /** qemu-user's name: `qemu-<qemu>-static`, binfmt entry `qemu-<qemu>`. */
  readonly qemu: string;
  /** Host architectures that run this one natively (no emulation). */
  readonly nativeOn?: readonly string[];
}

/** Same order as the `arch` enum of schema.json (a test keeps them equal). */
export const ARCHES: readonly Arch[] = [
  { name: 'amd64', qemu: 'x86_64' },
  { name: 'arm64', qemu: 'aarch64' },
  { name: 'armel', qemu: 'arm' },
  { name: 'armhf', qemu: 'arm' },
  { name: 'i386', qemu: 'i386', nativeOn: ['amd64'] },
  { name: 'ppc64el', qemu: 'ppc64le' },
  { name: 's390x', qemu: 's390x' },
  { name: 'riscv64', qemu: 'riscv64' },
  { name: 'mips64el', qemu: 'mips64el' },
  { name: 'mipsel', qemu: 'mipsel' },
  { name: 'loong64', qemu: 'loongarch64' },
  { name: 'ppc64', qemu: 'ppc64' },
  { name: 'powerpc', qemu: 'ppc' },
  { name: 'sparc64', qemu: 'sparc64' },
  { name: 'hppa', qemu: 'hppa' },
  { name: 'm68k', qemu: 'm68k' },
  { name: 'alpha', qemu: 'alpha' },
  { name: 'sh4', qemu: 'sh4' },
];

const BY_NAME = new Map(ARCHES.map((a) => [a.name, a]));

export function findArch(name: string): Arch | undefined {
  return BY_NAME.get(name);
}

/** qemu-user's name for a Debian architecture: arm64 → aarch64, armhf → arm, ppc64el → ppc64le. */
export function qemuName(debianArch: string): string | undefined {
  return BY_NAME.get(debianArch)?.qemu;
}

/** Debian's name for a Node.js `process.arch`. */
export function debianArchOf(nodeArch: string): string {
  const map: Record<string, string> = {
    x64: 'amd64', arm64: 'arm64', arm: 'armhf', ia32: 'i386', ppc64: 'ppc64el', s390x: 's390x', riscv64: 'riscv64',
    loong64: 'loong64', mips: 'mips', mipsel: 'mipsel', ppc: 'powerpc',
  };
  return map[nodeArch] ?? nodeArch;
}
