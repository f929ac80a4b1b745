import { parsePackageSpec } from '../kernel/packageName';

/** Packages a container never needs: it runs the user's program as PID 1 on the host's kernel. */
export interface NotNeededClass {
  readonly what: string;
  readonly matches: (name: string) => boolean;
}

const exact = (...names: string[]) => (n: string) => names.includes(n);
const prefix = (...prefixes: string[]) => (n: string) => prefixes.some((p) => n.startsWith(p));

export const NOT_NEEDED: readonly NotNeededClass[] = [
  { what: 'a kernel', matches: (n) => prefix('linux-image-', 'linux-headers-', 'linux-modules-', 'linux-signed-')(n) || exact('linux-generic', 'linux-virtual', 'linux-image')(n) },
  { what: 'an init system', matches: exact('systemd', 'systemd-sysv', 'init', 'sysvinit', 'sysvinit-core', 'runit-init', 'openrc', 'upstart', 'systemd-container') },
  { what: 'a bootloader', matches: (n) => n.startsWith('grub') || exact('shim-signed', 'syslinux', 'extlinux', 'systemd-boot')(n) },
  { what: 'firmware', matches: (n) => n.startsWith('firmware-') || n === 'linux-firmware' },
  { what: 'an initramfs generator', matches: exact('initramfs-tools', 'dracut') },
];

/** The class of a package a container does not need, or undefined. Accepts `name[:arch][=version]`. */
export function notNeededClass(entry: string): NotNeededClass | undefined {
  const { name } = parsePackageSpec(entry);
  return NOT_NEEDED.find((c) => c.matches(name));
}

export function isNotNeededInContainer(entry: string): boolean {
  return notNeededClass(entry) !== undefined;
}
