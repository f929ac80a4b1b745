import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { debianArchOf } from '../kernel/arch';
import { hostMirror, hostSecurityMirror, toolDefaults, type ToolDefaults } from './mirror';
import { MMDEBSTRAP_HOOKS } from './plan';

const TMPFS_MAGIC = 0x01021994;
/** A bookworm rootfs with its downloaded packages peaks under 400 MB; leave room for bigger recipes. */
const TMPFS_MIN_FREE = 2 * 1024 ** 3;

/** Where a program would be found; sbin folders too, where debootstrap lives. */
export function findProgram(name: string, path: string = process.env['PATH'] ?? ''): string | undefined {
  const dirs = [...path.split(':').filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const d of dirs) {
    const p = join(d, name);
    try { accessSync(p, constants.X_OK); return p; } catch { /* next */ }
  }
  return undefined;
}

/**
 * The parent of build work folders: a tmpfs with room to spare when there is one (measured: a warm
 * mmdebstrap 10 s on tmpfs vs 27 s on a busy disk), else /var/tmp.
 */
export function defaultWorkBase(): string {
  try {
    const s = statfsSync('/dev/shm');
    if (s.type === TMPFS_MAGIC && s.bavail * s.bsize >= TMPFS_MIN_FREE) return '/dev/shm';
  } catch { /* no /dev/shm */ }
  return '/var/tmp';
}

/** The default root of the package cache. */
export const DEFAULT_CACHE_ROOT = '/var/cache/ownbase';

/** What a plan needs to know about this machine. */
export interface BuildHost {
  readonly hostArch: string;
  readonly isRoot: boolean;
  readonly mirror: (distro: string) => string | undefined;
  /** The security archive the host's apt uses for distro. */
  readonly securityMirror: (distro: string) => string | undefined;
  /** The bootstrap tools' own default mirrors for distro and arch. */
  readonly toolDefaults: (distro: string, arch: string) => ToolDefaults;
  readonly has: (program: string) => boolean;
  readonly mergedUsrHook: boolean;
  readonly fileMirrorHook: boolean;
}

export function detectBuildHost(): BuildHost {
  return {
    hostArch: debianArchOf(process.arch),
    isRoot: process.getuid?.() === 0,
    mirror: (distro) => hostMirror(distro),
    securityMirror: (distro) => hostSecurityMirror(distro),
    toolDefaults: (distro, arch) => toolDefaults(distro, arch),
    has: (program) => findProgram(program) !== undefined,
    mergedUsrHook: existsSync(join(MMDEBSTRAP_HOOKS, 'merged-usr')),
    fileMirrorHook: existsSync(join(MMDEBSTRAP_HOOKS, 'file-mirror-automount')),
  };
}
