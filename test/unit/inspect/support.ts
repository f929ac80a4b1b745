// A small Debian-like rootfs with a dpkg database, for the inspector's unit tests.
import { linkSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar-stream';

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `ownbase-test-inspect-${prefix}-`));

const STATUS = `Package: libc6
Status: install ok installed
Priority: required
Architecture: amd64
Multi-Arch: same
Source: glibc (2.36-9+deb12u3)
Version: 2.36-9+deb12u3
Installed-Size: 12
Description: GNU C Library
 continuation line

Package: coreutils
Essential: yes
Status: install ok installed
Priority: required
Architecture: amd64
Version: 9.1-1
Installed-Size: 1
Pre-Depends: libc6 (>= 2.34)

Package: foo
Status: install ok installed
Priority: optional
Architecture: amd64
Version: 1:2.0-1
Installed-Size: 3
Depends: libbar (>= 1) | libbar-alt, libc6:any

Package: libbar
Status: install ok installed
Priority: optional
Architecture: amd64
Source: bar
Version: 1.0-1
Installed-Size: 1
Depends: libc6

Package: vim-tiny
Status: install ok installed
Priority: optional
Architecture: amd64
Version: 2:9.0-1
Installed-Size: 1
Depends: libc6

Package: gone
Status: deinstall ok config-files
Priority: optional
Architecture: amd64
Version: 1
`;

const LISTS: Record<string, string[]> = {
  // usr-merge: the lists name /lib and /bin, the files are in /usr.
  'libc6:amd64': ['/.', '/lib', '/lib/libc.so.6'],
  coreutils: ['/.', '/bin', '/bin/ls'],
  foo: ['/.', '/usr', '/usr/bin', '/usr/bin/ls', '/usr/bin/foo', '/usr/bin/foo-again', '/usr/share/doc/foo', '/usr/share/doc/foo/copyright'],
  libbar: ['/usr/lib/libbar.so'],
  'vim-tiny': ['/usr/bin/vim.tiny'],
};

export const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';

/** Bytes of each package's files in {@link makeRootfs}. */
export const EXPECTED = { libc6: 1000, coreutils: 300, foo: 50 + 2000 + 120, libbar: 700, 'vim-tiny': 400 };
/** Files no package owns, besides the dpkg database: apt list, hostname. */
export const UNOWNED_EXTRA = { 'var/lib/apt/lists/x_Packages': 500, 'etc/hostname': 6 };

function file(root: string, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** A chunk stream's bytes and its chunks' sizes; each chunk copied as it comes (its memory is reused some chunks later). */
export async function collectChunks(chunks: AsyncIterable<Buffer>): Promise<{ all: Buffer; sizes: number[] }> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return { all: Buffer.concat(parts), sizes: parts.map((p) => p.length) };
}

/** Pseudo-random but compressible bytes, seeded. */
export function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = 97 + ((x >>> 16) % 8); }
  return b;
}

/**
 * The rootfs: usr-merged (bin → usr/bin, lib → usr/lib), coreutils' /bin/ls diverted by foo to
 * /usr/bin/ls.distrib, foo's binary with a hard link, a doc file, an unowned apt list.
 */
export function makeRootfs(root: string): void {
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'usr/lib'), { recursive: true });
  symlinkSync('usr/bin', join(root, 'bin'));
  symlinkSync('usr/lib', join(root, 'lib'));
  file(root, 'usr/lib/libc.so.6', bytes(1000, 1));
  file(root, 'usr/bin/ls.distrib', bytes(300, 2));
  file(root, 'usr/bin/ls', bytes(50, 3));
  file(root, 'usr/bin/foo', bytes(2000, 4));
  linkSync(join(root, 'usr/bin/foo'), join(root, 'usr/bin/foo-again'));
  file(root, 'usr/share/doc/foo/copyright', bytes(120, 5));
  file(root, 'usr/lib/libbar.so', bytes(700, 6));
  file(root, 'usr/bin/vim.tiny', bytes(400, 7));
  for (const [p, n] of Object.entries(UNOWNED_EXTRA)) file(root, p, bytes(n, n));
  file(root, 'var/lib/dpkg/status', STATUS);
  for (const [pkg, paths] of Object.entries(LISTS)) file(root, `var/lib/dpkg/info/${pkg}.list`, `${paths.join('\n')}\n`);
  file(root, 'var/lib/dpkg/info/coreutils.md5sums', '0123456789abcdef0123456789abcdef  bin/ls\n');
  file(root, 'var/lib/dpkg/diversions', '/usr/bin/ls\n/usr/bin/ls.distrib\nfoo\n');
  file(root, 'etc/os-release', OS_RELEASE);
}

export interface TarItem {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link';
  readonly body?: Buffer | string;
  readonly linkname?: string;
}

/** A tar of the given entries, in order. */
export async function tarOf(items: readonly TarItem[]): Promise<Buffer> {
  const pack = tar.pack();
  const parts: Buffer[] = [];
  const done = (async () => { for await (const c of pack) parts.push(c as Buffer); })();
  for (const it of items) {
    const body = typeof it.body === 'string' ? Buffer.from(it.body) : it.body;
    const header = { name: it.name, type: it.type ?? 'file', mode: 0o644, ...(it.linkname ? { linkname: it.linkname } : {}) } as const;
    await new Promise<void>((resolve, reject) => {
      const cb = (e?: Error | null): void => (e ? reject(e) : resolve());
      if ((it.type ?? 'file') === 'file') pack.entry(header, body ?? Buffer.alloc(0), cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(parts);
}
