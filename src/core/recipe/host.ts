
/** The bootstrap tools' own default mirrors (mmdebstrap knows a security archive; debootstrap does not). */
export interface ToolDefaults { readonly mirror?: string; readonly security?: string }

/** What the recipe checks need to know about the machine that would build it (OB203). */
export interface HostProbe {
  /** The host's architecture in Debian's names (amd64, arm64, …). */
  hostArch(): string;
  /** Whether binfmt_misc has `qemu-<qemuName>` registered, enabled, with the F (fix binary) flag. */
  binfmtRegistered(qemuName: string): boolean;
  fileExists(path: string): boolean;
  /** The security archive this machine's apt sources name for distro (OB208); omitted, not checked. */
  securityMirror?(distro: string): string | undefined;
  /** The bootstrap tools' own default mirrors (OB208). */
  toolDefaults?(distro: string, arch: string): ToolDefaults;
}

export const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

/** Reads a binfmt_misc entry's text (`enabled`, `interpreter …`, `flags: OCF`, …). */
export function parseBinfmtEntry(text: string): { enabled: boolean; flags: string } {
  return {
    enabled: /^enabled\s*$/m.test(text),
    flags: /^flags:\s*(\S*)/m.exec(text)?.[1] ?? '',
  };
}
