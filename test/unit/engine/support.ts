// Fixtures shared by the engine's unit and integration tests (test/integration/engine*.test.ts).
import { chmodSync, chownSync, lchownSync, copyFileSync, existsSync, linkSync, lutimesSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

export const isRoot = process.getuid?.() === 0;

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `ownbase-test-${prefix}-`));

/** A fixed mtime, whole seconds. */
export const T = new Date('2024-03-01T12:00:00Z');
/** The long path in makeTree: 60 d's / 60 e's / 120 f's .txt (over ustar's 100 + 155). */
export const LONG_DIR = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
export const LONG_FILE = `${LONG_DIR}/${'f'.repeat(120)}.txt`;
export const T2 = new Date('2023-01-15T08:30:00Z');

/**
 * A tree with every entry type the walk handles. Owners and devices need root; without it those
 * entries are left out and `devices` is false.
 */
export function makeTree(root: string): { devices: boolean } {
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'etc'), { mode: 0o750 });
  mkdirSync(join(root, 'dev'));
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'etc/hostname'), 'owned\n');
  writeFileSync(join(root, 'etc/empty.conf'), '');
  writeFileSync(join(root, 'bin/tool'), '#!/bin/sh\necho tool\n');
  chmodSync(join(root, 'bin/tool'), 0o755);
  writeFileSync(join(root, 'bin/su'), 'setuid\n');
  chmodSync(join(root, 'bin/su'), 0o4755);
  linkSync(join(root, 'bin/tool'), join(root, 'bin/tool-hard'));
  symlinkSync('tool', join(root, 'bin/tool-sym'));
  symlinkSync('/etc/hostname', join(root, 'etc/abs-link'));
  symlinkSync('../nowhere', join(root, 'etc/dangling'));
  symlinkSync('../etc', join(root, 'bin/etc-dir-link'));
  execFileSync('mknod', ['-m', '644', join(root, 'dev/pipe'), 'p']);
  const big = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 11)) & 0xff;
  writeFileSync(join(root, 'big.bin'), big);
  const long = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
  mkdirSync(join(root, long), { recursive: true });
  writeFileSync(join(root, long, `${'f'.repeat(120)}.txt`), 'long\n');
  const devices = isRoot;
  if (devices) {
    execFileSync('mknod', ['-m', '666', join(root, 'dev/null'), 'c', '1', '3']);
    execFileSync('mknod', ['-m', '660', join(root, 'dev/loop7'), 'b', '7', '7']);
    chownSync(join(root, 'etc/hostname'), 1000, 1001);
    chownSync(join(root, 'etc'), 0, 42);
    lchownSync(join(root, 'etc/abs-link'), 1000, 1000);
  }
  // Explicit modes: the test must not depend on the umask.
  for (const p of ['etc/hostname', 'etc/empty.conf', 'big.bin', `${long}/${'f'.repeat(120)}.txt`]) chmodSync(join(root, p), 0o644);
  chmodSync(join(root, 'dev/pipe'), 0o644);
  for (const p of ['bin', 'dev', 'empty', long, 'd'.repeat(60)]) chmodSync(join(root, p), 0o755);
  chmodSync(join(root, 'etc'), 0o750);
  for (const p of ['bin/tool', 'bin/su', 'etc/hostname', 'etc/empty.conf', 'big.bin', 'dev/pipe', `${long}/${'f'.repeat(120)}.txt`]) utimesSync(join(root, p), T, T);
  for (const p of ['bin/tool-sym', 'etc/abs-link', 'etc/dangling', 'bin/etc-dir-link']) lutimesSync(join(root, p), T, T);
  if (devices) for (const p of ['dev/null', 'dev/loop7']) utimesSync(join(root, p), T, T);
  for (const p of ['bin', 'etc', 'dev', 'empty', long, 'd'.repeat(60)]) utimesSync(join(root, p), T2, T2);
  return { devices };
}

export const BUSYBOX = '/bin/busybox';

/**
 * A tiny runnable rootfs: Debian's static busybox (package busybox-static) as /bin/busybox with a
 * /bin/sh link, /etc/passwd and /etc/group.
 */
export function busyboxRootfs(root: string): string {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: apt-get install -y busybox-static`);
  for (const d of ['bin', 'etc', 'tmp']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  symlinkSync('busybox', join(root, 'bin/sh'));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  return root;
}
