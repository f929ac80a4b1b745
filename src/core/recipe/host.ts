import { existsSync, readFileSync } from 'node:fs';
import { hostSecurityMirror, toolDefaults, type ToolDefaults } from '../build/mirror';
import { debianArchOf } from '../kernel/arch';

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

/** The machine this process runs on. */
export function nodeHostProbe(): HostProbe {
  return {
    hostArch: () => debianArchOf(process.arch),
    binfmtRegistered(qemuName: string): boolean {
      if (!/^[a-z0-9_]+$/.test(qemuName)) return false;
      try {
        const entry = parseBinfmtEntry(readFileSync(`${BINFMT_DIR}/qemu-${qemuName}`, 'utf8'));
        return entry.enabled && entry.flags.includes('F');
      } catch {
        return false;
      }
    },
    fileExists: (path: string) => existsSync(path),
    securityMirror: (distro: string) => hostSecurityMirror(distro),
    toolDefaults: (distro: string, arch: string) => toolDefaults(distro, arch),
  };
}
