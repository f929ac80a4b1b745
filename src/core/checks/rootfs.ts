import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeLayer } from '../engine/layer';
import { execCapture } from './exec';
import type { CheckTarget, ExecOptions, ExecResult } from './target';

/** The PATH a Debian image's processes get (the engine sets none for an imported image; a login shell's default). */
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface RootfsOptions {
  /** The USER the image will have (the recipe's `config.user`); default root. */
  readonly user?: string;
  /** The ENV the image will have (the recipe's `config.env`). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The no-engine driver: a built rootfs folder, each check run with `unshare --mount --pid --net --fork` and
 * `chroot` (as root, which the build is). A new network namespace has no network, like `--network none`; a new
 * PID namespace, so nothing it starts outlives it; /proc is mounted inside it only. User names are resolved in the
 * rootfs's own /etc/passwd and /etc/group, never the host's. The same scripts run as in the engine driver.
 */
export function rootfsTarget(root: string, options: RootfsOptions = {}): CheckTarget {
  if (!existsSync(join(root, 'bin')) && !existsSync(join(root, 'usr/bin'))) throw new Error(`${root} is not a root filesystem (no bin or usr/bin)`);
  const env = { PATH, ...options.env };
  return {
    name: root,
    driver: 'rootfs',
    exec(argv: readonly string[], o: ExecOptions): Promise<ExecResult> {
      const user = o.user ?? options.user ?? '';
      let spec: string[];
      try { spec = user === '' || user === '0' || user === 'root' ? [] : userSpec(root, user); } catch (err) {
        return Promise.resolve({ exitCode: null, stdout: '', stderr: '', timedOut: false, error: (err as Error).message });
      }
      const proc = existsSync(join(root, 'proc')) ? [`--mount-proc=${join(root, 'proc')}`] : [];
      return execCapture(['unshare', '--mount', '--pid', '--net', '--fork', '--kill-child', ...proc,
        'chroot', ...spec, root, ...argv], o.timeoutMs, { ...env, ...o.env });
    },
    config: () => Promise.resolve(undefined),
    size: async () => (await writeLayer(root)).size,
    compressedSize: async () => (await writeLayer(root, { gzipFile: '/dev/null' })).gzip!.size,
    close: () => Promise.resolve(),
  };
}

const table = (root: string, file: string): string[][] => {
  try { return readFileSync(join(root, 'etc', file), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':')); } catch { return []; }
};

/** `chroot` options for a user (`name`, `uid`, `name:group`), resolved in the rootfs: uid, gid and groups. */
export function userSpec(root: string, user: string): string[] {
  const [u, g] = user.split(':') as [string, string | undefined];
  const passwd = table(root, 'passwd');
  const groups = table(root, 'group');
  const entry = /^\d+$/.test(u) ? passwd.find((p) => p[2] === u) : passwd.find((p) => p[0] === u);
  if (!entry && !/^\d+$/.test(u)) throw new Error(`no user ${u} in ${join(root, 'etc/passwd')}`);
  const uid = entry?.[2] ?? u;
  let gid = entry?.[3] ?? uid;
  if (g !== undefined) {
    const ge = /^\d+$/.test(g) ? undefined : groups.find((x) => x[0] === g);
    if (!ge && !/^\d+$/.test(g)) throw new Error(`no group ${g} in ${join(root, 'etc/group')}`);
    gid = ge?.[2] ?? g;
  }
  const name = entry?.[0];
  const extra = name === undefined ? [] : groups.filter((x) => (x[3] ?? '').split(',').includes(name)).map((x) => x[2]!);
  return [`--userspec=${uid}:${gid}`, `--groups=${[gid, ...extra.filter((x) => x !== gid)].join(',')}`];
}
