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
  /** The multiarch triplet: the library folders `/lib/<triplet>`, `/usr/lib/<triplet>`. */
  readonly triplet: string;
  /** How its ELF files say so: `e_machine`, class (32/64), byte order; `armhf` also sets the hard-float flag. */
  readonly elf: { readonly machine: number; readonly bits: 32 | 64; readonly endian: 'little' | 'big'; readonly hardFloat?: boolean };
}

/** Same order as the `arch` enum of schema.json (a test keeps them equal). */
export const ARCHES: readonly Arch[] = [
  { name: 'amd64', qemu: 'x86_64', oci: { architecture: 'amd64' }, node: 'x64', triplet: 'x86_64-linux-gnu', elf: { machine: 62, bits: 64, endian: 'little' } },
  { name: 'arm64', qemu: 'aarch64', oci: { architecture: 'arm64', variant: 'v8' }, node: 'arm64', triplet: 'aarch64-linux-gnu', elf: { machine: 183, bits: 64, endian: 'little' } },
  { name: 'armel', qemu: 'arm', nativeOn: ['arm64'], oci: { architecture: 'arm', variant: 'v5' }, triplet: 'arm-linux-gnueabi', elf: { machine: 40, bits: 32, endian: 'little', hardFloat: false } },
  { name: 'armhf', qemu: 'arm', nativeOn: ['arm64'], oci: { architecture: 'arm', variant: 'v7' }, node: 'arm', triplet: 'arm-linux-gnueabihf', elf: { machine: 40, bits: 32, endian: 'little', hardFloat: true } },
  { name: 'i386', qemu: 'i386', nativeOn: ['amd64'], oci: { architecture: '386' }, node: 'ia32', triplet: 'i386-linux-gnu', elf: { machine: 3, bits: 32, endian: 'little' } },
  { name: 'ppc64el', qemu: 'ppc64le', oci: { architecture: 'ppc64le' }, node: 'ppc64', triplet: 'powerpc64le-linux-gnu', elf: { machine: 21, bits: 64, endian: 'little' } },
  { name: 's390x', qemu: 's390x', oci: { architecture: 's390x' }, node: 's390x', triplet: 's390x-linux-gnu', elf: { machine: 22, bits: 64, endian: 'big' } },
  { name: 'riscv64', qemu: 'riscv64', oci: { architecture: 'riscv64' }, node: 'riscv64', triplet: 'riscv64-linux-gnu', elf: { machine: 243, bits: 64, endian: 'little' } },
  { name: 'mips64el', qemu: 'mips64el', oci: { architecture: 'mips64le' }, node: 'mips64el', triplet: 'mips64el-linux-gnuabi64', elf: { machine: 8, bits: 64, endian: 'little' } },
  { name: 'mipsel', qemu: 'mipsel', oci: { architecture: 'mipsle' }, node: 'mipsel', triplet: 'mipsel-linux-gnu', elf: { machine: 8, bits: 32, endian: 'little' } },
  { name: 'loong64', qemu: 'loongarch64', oci: { architecture: 'loong64' }, node: 'loong64', triplet: 'loongarch64-linux-gnu', elf: { machine: 258, bits: 64, endian: 'little' } },
  { name: 'ppc64', qemu: 'ppc64', oci: { architecture: 'ppc64' }, triplet: 'powerpc64-linux-gnu', elf: { machine: 21, bits: 64, endian: 'big' } },
  { name: 'powerpc', qemu: 'ppc', oci: { architecture: 'ppc' }, node: 'ppc', triplet: 'powerpc-linux-gnu', elf: { machine: 20, bits: 32, endian: 'big' } },
  { name: 'sparc64', qemu: 'sparc64', oci: { architecture: 'sparc64' }, triplet: 'sparc64-linux-gnu', elf: { machine: 43, bits: 64, endian: 'big' } },
  { name: 'hppa', qemu: 'hppa', oci: { architecture: 'hppa' }, triplet: 'hppa-linux-gnu', elf: { machine: 15, bits: 32, endian: 'big' } },
  { name: 'm68k', qemu: 'm68k', oci: { architecture: 'm68k' }, triplet: 'm68k-linux-gnu', elf: { machine: 4, bits: 32, endian: 'big' } },
  { name: 'alpha', qemu: 'alpha', oci: { architecture: 'alpha' }, triplet: 'alpha-linux-gnu', elf: { machine: 0x9026, bits: 64, endian: 'little' } },
  { name: 'sh4', qemu: 'sh4', oci: { architecture: 'sh4' }, triplet: 'sh4-linux-gnu', elf: { machine: 42, bits: 32, endian: 'little' } },
];

const BY_NAME = new Map(ARCHES.map((a) => [a.name, a]));

export function findArch(name: string): Arch | undefined {
  return BY_NAME.get(name);
}

/**
 * The Debian architecture of an ELF file's header (`e_machine`, class, byte order, `e_flags`), or
 * undefined for one Debian does not name (a big-endian 32-bit ARM, x32).
 */
export function archOfElf(machine: number, bits: 32 | 64, endian: 'little' | 'big', flags: number): Arch | undefined {
  const EF_ARM_ABI_FLOAT_HARD = 0x400;
  return ARCHES.find((a) => a.elf.machine === machine && a.elf.bits === bits && a.elf.endian === endian
    && (a.elf.hardFloat === undefined || a.elf.hardFloat === ((flags & EF_ARM_ABI_FLOAT_HARD) !== 0)));
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
