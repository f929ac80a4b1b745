import { existsSync, readFileSync } from 'node:fs';
import { debianArchOf } from '../kernel/arch';
import { BINFMT_DIR, parseBinfmtEntry, type HostProbe } from '../recipe/host';
import { hostSecurityMirror, toolDefaults } from './mirror';

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
